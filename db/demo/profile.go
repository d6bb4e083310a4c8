package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// seedProfile writes the business profile, its keywords, preferences and three locations, the spam
// list's disposable-mail domains and a few users' own notification preferences. It returns the
// location id of each region ("apac", "amer", "emea") for profile leads.
func seedProfile(ctx context.Context, tx *sql.Tx, now time.Time, userIDs []int64) (map[string]int64, error) {
	at := now.Unix() - 200*day
	if _, err := tx.ExecContext(ctx, `INSERT INTO business_profile (id, company_name, description, website, updated_at, updated_by)
		VALUES (1, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET company_name = excluded.company_name, description = excluded.description,
			website = excluded.website, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		"Contoso Ltd.",
		"Contoso builds business applications on Microsoft Azure and Dynamics 365 — CRM, field service, AI document processing "+
			"and backup — and helps mid-size and enterprise customers in Japan, North America and Europe plan, migrate and run them.",
		"https://contoso.example", at, userIDs[1]); err != nil {
		return nil, fmt.Errorf("demo: business profile: %w", err)
	}
	keywords := []struct{ kind, word string }{
		{"expertise", "CRM"}, {"expertise", "Dynamics 365"}, {"expertise", "Azure migration"}, {"expertise", "Power Platform"},
		{"expertise", "Data & AI"}, {"expertise", "Security"}, {"expertise", "Field service"},
		{"business_model", "SaaS"}, {"business_model", "Managed services"}, {"business_model", "Consulting"},
		{"business_model", "Cloud Solution Provider (CSP)"},
	}
	for _, k := range keywords {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO profile_keywords (kind, keyword) VALUES (?, ?)`, k.kind, k.word); err != nil {
			return nil, fmt.Errorf("demo: profile keyword: %w", err)
		}
	}
	prefs := []struct{ kind, value string }{
		{"company_size", "51-250"}, {"company_size", "251-1000"}, {"company_size", "1001-5000"}, {"company_size", "5001-10000"},
		{"industry", "manufacturing"}, {"industry", "retail"}, {"industry", "healthcare"}, {"industry", "financial_services"},
		{"industry", "professional_services"},
	}
	for _, p := range prefs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO profile_preferences (kind, value) VALUES (?, ?)`, p.kind, p.value); err != nil {
			return nil, fmt.Errorf("demo: profile preference: %w", err)
		}
	}
	locs := []struct{ region, name, address, country, contact, email, phone string }{
		{"apac", "Tokyo", "東京都千代田区丸の内1-1-1 丸の内ビル 20F", "JP", "田中 愛子", "tokyo-leads@demo.leaddesk.test", "+81 3-5555-0100"},
		{"amer", "Seattle", "1 Pine Street, Suite 400, Seattle, WA 98101", "US", "Emily Carter", "seattle-leads@demo.leaddesk.test", "+1 206-555-0100"},
		{"emea", "Munich", "Leopoldstraße 10, 80802 München", "DE", "Jonas Weber", "munich-leads@demo.leaddesk.test", "+49 89 5555 0100"},
	}
	ids := map[string]int64{}
	for _, l := range locs {
		res, err := tx.ExecContext(ctx, `INSERT INTO locations (name, address, country, contact_name, contact_email, contact_phone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.name, l.address, l.country, l.contact, l.email, l.phone, at, at)
		if err != nil {
			return nil, fmt.Errorf("demo: location %s: %w", l.name, err)
		}
		ids[l.region], _ = res.LastInsertId()
	}
	for _, dom := range disposableDomains {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO spam_list (kind, value, note, created_at) VALUES ('domain', ?, ?, ?)`,
			dom, "Disposable email service", at); err != nil {
			return nil, fmt.Errorf("demo: spam list: %w", err)
		}
	}
	// Own notification preferences: the referrals admin wants a digest in Japanese, the account admin
	// wants no lead mail, and the all-roles admin uses a team alias.
	prefsRows := []struct {
		user            int64
		email, mode, lg string
		enabled         bool
	}{
		{userIDs[0], "", "digest", "ja", true},
		{userIDs[2], "", "single", "", false},
		{userIDs[3], "leads-team@demo.leaddesk.test", "single", "", true},
	}
	for _, p := range prefsRows {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, email, enabled, mode, lang, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.user, p.email, p.enabled, p.mode, p.lg, at); err != nil {
			return nil, fmt.Errorf("demo: notification preferences: %w", err)
		}
	}
	return ids, nil
}

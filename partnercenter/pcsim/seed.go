package pcsim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"leaddesk/partnercenter"
)

// market is a country with its currency and typical names.
type market struct {
	country, currency, city string
	first, last             []string
	phone                   string
	scale                   int64 // deal values are whole multiples of this, in major units
}

var markets = []market{
	{"US", "USD", "Seattle", []string{"Emily", "Michael", "Sarah", "David", "Jessica"}, []string{"Johnson", "Miller", "Davis", "Garcia", "Wilson"}, "+1 206 555 %04d", 500},
	{"JP", "JPY", "東京", []string{"彩", "健太", "美咲", "翔", "由美"}, []string{"鈴木", "佐藤", "高橋", "田中", "伊藤"}, "+81 3 5555 %04d", 100000},
	{"DE", "EUR", "München", []string{"Katrin", "Jonas", "Lena", "Felix", "Anna"}, []string{"Schmidt", "Müller", "Weber", "Fischer", "Wagner"}, "+49 89 5555 %04d", 500},
	{"GB", "GBP", "London", []string{"Oliver", "Amelia", "Harry", "Isla", "George"}, []string{"Smith", "Jones", "Taylor", "Brown", "Evans"}, "+44 20 5555 %04d", 500},
	{"AU", "AUD", "Sydney", []string{"Jack", "Charlotte", "Noah", "Mia", "Liam"}, []string{"Nguyen", "Smith", "Williams", "Kelly", "Martin"}, "+61 2 5555 %04d", 500},
}

var (
	companyStems = []string{"Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware", "Wingtip", "Alpine Ski House", "Coho Vineyard", "Fourth Coffee", "Trey Research"}
	companyKinds = []string{"Traders", "Holdings", "Logistics", "Health", "Manufacturing", "Retail", "Bank", "Energy"}
	needs        = []string{
		"Wants to move its on-premises SQL Server estate to Azure within two quarters.",
		"Looking for a partner to roll out Microsoft 365 E5 security to 800 seats.",
		"Needs help with a Copilot proof of concept for the sales team.",
		"Evaluating Azure Virtual Desktop for branch offices; budget approved.",
		"Asked for a Dynamics 365 Sales implementation quote.",
	}
	sizes = []string{"1to50employees", "51to500employees", "Morethan500employees"}
)

// Seed adds n realistic referrals, the same ones for the same seed, without webhook calls (a bulk
// backlog, as a partner has when it first connects): most are qualified leads from Microsoft
// (Independent, MarketingQualified or SalesQualified, status New/Received), about one in ten a co-sell
// opportunity of another partner and one in twenty a marketplace lead, neither of which the sync takes.
// Their updatedDateTime values are distinct and increasing. It returns the ids in creation order.
func (s *Sim) Seed(n int, seed uint64) []string {
	rnd := rand.New(rand.NewPCG(seed, seed^0x5eed))
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, n)
	for i := range n {
		r := seedReferral(rnd, i)
		s.touch(&r)
		r.ExpirationDateTime = partnercenter.Time{Time: r.CreatedDateTime.Add(14 * 24 * time.Hour)}
		s.referrals[r.ID] = &r
		ids = append(ids, r.ID)
	}
	return ids
}

// NewQualifiedLead is one realistic qualified lead from Microsoft, for Create.
func NewQualifiedLead(seed uint64) partnercenter.Referral {
	rnd := rand.New(rand.NewPCG(seed, seed^0x5eed))
	for {
		if r := seedReferral(rnd, int(seed%1000)); partnercenter.IsQualifiedLead(r) {
			r.ID = ""
			return r
		}
	}
}

func seedReferral(rnd *rand.Rand, i int) partnercenter.Referral {
	m := markets[rnd.IntN(len(markets))]
	company := fmt.Sprintf("%s %s", companyStems[rnd.IntN(len(companyStems))], companyKinds[rnd.IntN(len(companyKinds))])
	first, last := m.first[rnd.IntN(len(m.first))], m.last[rnd.IntN(len(m.last))]
	value := partnercenter.Decimal(fmt.Sprintf("%d", m.scale*int64(1+rnd.IntN(200))))
	if m.currency != "JPY" && rnd.IntN(3) == 0 {
		value = partnercenter.Decimal(fmt.Sprintf("%d.%02d", m.scale*int64(1+rnd.IntN(200)), rnd.IntN(100)))
	}
	r := partnercenter.Referral{
		ID:               newReferralID(),
		EngagementID:     newReferralID(),
		OrganizationID:   "partner-org-1",
		OrganizationName: "Leaddesk Demo Partner",
		Name:             fmt.Sprintf("%s – %s", company, []string{"Azure migration", "M365 security", "Copilot pilot", "AVD rollout", "Dynamics 365 Sales"}[rnd.IntN(5)]),
		Status:           partnercenter.StatusNew,
		Substatus:        partnercenter.SubstatusReceived,
		Type:             partnercenter.TypeIndependent,
		Qualification:    []string{partnercenter.QualificationMarketingQualified, partnercenter.QualificationSalesQualified}[rnd.IntN(2)],
		Direction:        partnercenter.DirectionIncoming,
		CustomerProfile: partnercenter.CustomerProfile{
			Name:    company,
			Address: partnercenter.Address{City: m.city, Country: m.country},
			Size:    sizes[rnd.IntN(len(sizes))],
			Team: []partnercenter.Member{{FirstName: first, LastName: last,
				Email:       fmt.Sprintf("contact%d@%s.example", i, m.country),
				PhoneNumber: fmt.Sprintf(m.phone, rnd.IntN(10000))}},
		},
		Consent: partnercenter.Consent{ConsentToShareInfoWithOthers: rnd.IntN(4) > 0, ConsentToContact: rnd.IntN(10) > 0},
		Details: partnercenter.Details{Notes: "", DealValue: &value, Currency: m.currency,
			CustomerRequestedContact: rnd.IntN(2) == 0},
		InviteContext: &partnercenter.InviteContext{Notes: needs[rnd.IntN(len(needs))],
			InvitedBy: &partnercenter.Organization{OrganizationID: partnercenter.MicrosoftOrgID, OrganizationName: "Microsoft"}},
	}
	switch k := rnd.IntN(20); {
	case k < 2: // a co-sell opportunity another partner invited us to
		r.Type, r.Qualification = partnercenter.TypeShared, partnercenter.QualificationNone
		r.InviteContext.InvitedBy = &partnercenter.Organization{OrganizationID: "partner-org-77", OrganizationName: "Fabrikam Consulting"}
	case k == 2: // a marketplace lead
		r.Qualification = partnercenter.QualificationDirect
	}
	return r
}

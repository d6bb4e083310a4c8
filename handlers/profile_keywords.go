package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/views"
)

// profileAddKeyword adds one expertise or business-model keyword.
func (h *Handler) profileAddKeyword(c echo.Context) error {
	kind := c.FormValue("kind")
	if kind != db.KeywordExpertise && kind != db.KeywordBusinessModel {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "profile.err.keyword_kind"))
	}
	word := strings.Join(strings.Fields(c.FormValue("keyword")), " ")
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	field := "keyword_" + kind
	msg := h.checkProfileKeyword(c, word, d.Keywords[kind])
	if msg == "" {
		err := h.DB.AddKeyword(c.Request().Context(), h.profileActor(c), kind, word)
		switch {
		case errors.Is(err, db.ErrConflict):
			msg = h.T(c, "profile.err.keyword_duplicate", word)
		case err != nil:
			return err
		default:
			return h.profileKeywordEditorAgain(c, kind, "profile.keyword_added")
		}
	}
	d.Section, d.Edit, d.Focus = "keywords", "keywords", field
	d.Errors[field], d.Form[field] = msg, profileTruncate(word, 200)
	return h.showProfile(c, http.StatusUnprocessableEntity, d)
}

// checkProfileKeyword returns what is wrong with a new keyword, or "".
func (h *Handler) checkProfileKeyword(c echo.Context, word string, existing []db.Keyword) string {
	switch {
	case word == "":
		return h.T(c, "profile.err.keyword_required")
	case utf8.RuneCountInString(word) > profileMaxKeyword:
		return h.T(c, "profile.err.keyword_too_long", profileMaxKeyword)
	case strings.IndexFunc(word, unicode.IsControl) >= 0:
		return h.T(c, "profile.err.keyword_chars")
	case len(existing) >= profileMaxKeywordsByKind:
		return h.T(c, "profile.err.keyword_limit", profileMaxKeywordsByKind)
	}
	for _, k := range existing {
		// SQLite's NOCASE folds ASCII only; EqualFold also catches "Ä" against "ä".
		if strings.EqualFold(k.Keyword, word) {
			return h.T(c, "profile.err.keyword_duplicate", k.Keyword)
		}
	}
	return ""
}

func profileTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// profileRemoveKeyword removes one keyword.
func (h *Handler) profileRemoveKeyword(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	kind, err := h.DB.RemoveKeyword(c.Request().Context(), h.profileActor(c), id)
	if err != nil {
		return err
	}
	return h.profileKeywordEditorAgain(c, kind, "profile.keyword_removed")
}

// profileSuggestedKeywords are common Microsoft-partner keywords offered while typing (a <datalist>): the
// product names everyone uses, plus phrases in the reader's language. Keywords already chosen are left out.
var profileSuggestedKeywords = map[string]map[string][]string{
	"en": {
		db.KeywordExpertise: {
			"Azure", "Azure migration", "Azure Virtual Desktop", "Microsoft 365", "Microsoft Teams", "SharePoint", "Copilot",
			"Dynamics 365", "Dynamics 365 Business Central", "Dynamics 365 Sales", "Power Platform", "Power BI", "Power Apps",
			"Data & AI", "Azure OpenAI", "Analytics", "Security", "Identity & access", "Compliance", "Modern Work",
			"DevOps", "Kubernetes", "SAP on Azure", "CRM", "ERP", "Field service", "IoT", "Backup & disaster recovery",
		},
		db.KeywordBusinessModel: {
			"SaaS", "Managed services", "Consulting", "Systems integration", "Cloud Solution Provider (CSP)", "Licensing",
			"Implementation", "Training", "Support", "Independent software vendor (ISV)", "Reseller", "Custom development",
		},
	},
	"ja": {
		db.KeywordExpertise: {
			"Azure", "Azure 移行", "Microsoft 365", "Microsoft Teams", "Dynamics 365", "Power Platform", "Power BI", "Copilot",
			"クラウド移行", "データと AI", "生成 AI", "データ分析", "セキュリティ", "ID とアクセス管理", "コンプライアンス",
			"働き方改革", "業務アプリケーション", "CRM", "ERP", "基幹システム", "フィールド サービス", "IoT", "バックアップと災害復旧",
		},
		db.KeywordBusinessModel: {
			"SaaS", "マネージド サービス", "コンサルティング", "システム インテグレーション", "クラウド ソリューション プロバイダー (CSP)",
			"ライセンス販売", "導入支援", "トレーニング", "サポート", "受託開発", "ISV", "リセラー",
		},
	},
}

// profileKeywordSuggestions lists the suggestions of each kind for lang that are not keywords yet.
func profileKeywordSuggestions(lang string, have map[string][]db.Keyword) map[string][]string {
	out := map[string][]string{}
	for _, kind := range db.KeywordKinds {
		src := profileSuggestedKeywords[lang][kind]
		if lang != "en" {
			src = append(append([]string{}, src...), profileSuggestedKeywords["en"][kind]...)
		}
		seen := map[string]bool{}
		for _, k := range have[kind] {
			seen[strings.ToLower(k.Keyword)] = true
		}
		for _, s := range src {
			if !seen[strings.ToLower(s)] {
				seen[strings.ToLower(s)] = true
				out[kind] = append(out[kind], s)
			}
		}
	}
	return out
}

// profileKeywordEditorAgain answers an added or removed keyword with the keyword editor still open: keywords
// are usually changed several at a time.
func (h *Handler) profileKeywordEditorAgain(c echo.Context, kind, msgKey string) error {
	if !views.WantsFragment(c.Request()) {
		h.setFlash(c, "success", msgKey)
		return c.Redirect(http.StatusSeeOther, "/profile/keywords/edit#profile-keywords")
	}
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.Edit, d.Live, d.Focus = "keywords", "keywords", h.T(c, msgKey), "keyword_"+kind
	return h.showProfile(c, http.StatusOK, d)
}

package intake

import (
	"strings"
	"testing"
	"time"
)

var apiNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// apiBody is a minimal marketplace lead with extra details fields.
func apiBody(details string) []byte {
	return []byte(`{"callToAction": "contact_me", "customerProfile": {"name": "Contoso KK", "address": {"country": "JP"}}, "details": {` + details + `}}`)
}

// Deal values are read exactly as written, in the currency's minor units; what cannot be stored
// exactly is refused naming details.dealValue, never rounded.
func TestAPIDealValueIsExact(t *testing.T) {
	for details, want := range map[string]int64{
		`"dealValue": 1250000, "currency": "JPY"`:          1250000,
		`"dealValue": 12500.5, "currency": "USD"`:          1250050,
		`"dealValue": 19.99, "currency": "usd"`:            1999,
		`"dealValue": 0.29, "currency": "EUR"`:             29,
		`"dealValue": 1200.00, "currency": "JPY"`:          1200,
		`"dealValue": 1.234, "currency": "KWD"`:            1234,
		`"dealValue": 9999999999999.99, "currency": "USD"`: 999999999999999,
		`"dealValue": null, "currency": "USD"`:             0,
	} {
		l, errs := ParseAPILead(apiBody(details), apiNow)
		if len(errs) > 0 || l.DealValue != want {
			t.Errorf("%s: %v, errors %v; want %d", details, l, errs, want)
		}
	}
	for details, message := range map[string]string{
		`"dealValue": 12.345, "currency": "USD"`:             "has more decimals than USD takes (2)",
		`"dealValue": 1.5, "currency": "JPY"`:                "has more decimals than JPY takes (0)",
		`"dealValue": -5, "currency": "USD"`:                 "must be a number of at least 0",
		`"dealValue": 1.25e6, "currency": "USD"`:             "must be a plain decimal number such as 12500.50 (no exponent)",
		`"dealValue": 100000000000000000, "currency": "JPY"`: "is larger than any deal",
		`"dealValue": "12500", "currency": "USD"`:            "must be a number",
		`"dealValue": {"amount": 1}, "currency": "USD"`:      "must be a number",
	} {
		_, errs := ParseAPILead(apiBody(details), apiNow)
		if len(errs) != 1 || errs[0].Field != "details.dealValue" || errs[0].Message != message {
			t.Errorf("%s: errors %v, want details.dealValue %q", details, errs, message)
		}
	}
}

// Every error names the JSON field as the client wrote it, and all of a lead's problems come back at once.
func TestAPIErrorsNameTheJSONField(t *testing.T) {
	_, errs := ParseAPILead([]byte(`{"qualification": "SalesQualified", "customerProfile": {"name": "X", "address": {"country": "Narnia"}},
		"createdDateTime": "yesterday", "details": {"currency": "YEN!", "closingDateTime": "soon"}, "sender": {"email": "not-an-address"}}`), apiNow)
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, " "); got != "customerProfile.address.country sender.email createdDateTime details.currency details.closingDateTime" {
		t.Errorf("fields = %s\n%v", got, errs)
	}
	for body, field := range map[string]string{
		`{"customerProfile": {"name": 42}}`:       "customerProfile.name",
		`{"customerProfile": {"team": {"a": 1}}}`: "customerProfile.team",
		`{"customerConsent": "yes"}`:              "customerConsent",
		`not json`:                                "body",
	} {
		if _, errs := ParseAPILead([]byte(body), apiNow); len(errs) != 1 || errs[0].Field != field {
			t.Errorf("%s: %v, want one error naming %s", body, errs, field)
		}
	}
}

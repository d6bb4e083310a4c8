package partnercenter_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"leaddesk/lead"
	"leaddesk/money"
	"leaddesk/partnercenter"
)

// docReferral is a referral shaped as Microsoft's "Referral resources" page shows one, with a field
// Leaddesk does not know (salesStage) and the API's odd consent spelling.
const docReferral = `{
  "id": "ae6c1a80-1d4c-4b5b-a6a6-2c7ab6b06df4",
  "engagementId": "e8a1b7b5-6d1d-4bcb-ac77-3b0b2e3e3a10",
  "organizationId": "0ce6c8e2-1f3a-4a4e-9b11-5b0b6e0d4f33",
  "organizationName": "Leaddesk Demo Partner",
  "name": "Contoso – Azure migration",
  "externalReferenceId": "CRM-881",
  "createdDateTime": "2026-11-20T23:18:33.1063398Z",
  "updatedDateTime": "2026-11-21T08:00:00.5Z",
  "expirationDateTime": "2026-12-04T23:18:33.1063398Z",
  "status": "New",
  "substatus": "Received",
  "type": "Independent",
  "qualification": "SalesQualified",
  "direction": "Incoming",
  "salesStage": "Qualify",
  "customerProfile": {
    "name": "Contoso Traders",
    "address": {"addressLine1": "1 Main St", "city": "Seattle", "state": "WA", "postalCode": "98052", "country": "us"},
    "size": "51to500employees",
    "team": [{"firstName": "Emily", "lastName": "Johnson", "phoneNumber": "+1 206 555 0100", "email": "emily@contoso.example",
              "contactPreference": {"locale": "en-US", "disableNotifications": false}}],
    "ids": [{"id": "123456789", "profileType": "Duns"}]
  },
  "consent": {"consentToToShareInfoWithOthers": true, "consentToContact": true},
  "details": {"notes": "Wants to move SQL Server to Azure", "dealValue": 12500.5, "currency": "USD",
              "closingDateTime": "2027-01-31T00:00:00Z", "customerRequestedContact": true,
              "requirements": {"solutions": [{"id": "s1", "name": "Azure SQL", "type": "Name"}]}},
  "team": [{"firstName": "Ken", "lastName": "Ito", "email": "ken@partner.example"}],
  "inviteContext": {"notes": "Customer asked for a partner in the Pacific Northwest.", "invitedBy": {"organizationId": "msft", "organizationName": "Microsoft"}},
  "target": [{"type": "BusinessProfileLocation", "id": "loc-1"}],
  "eTag": "\"2500ec5a-0000-0000-0000-5bf4967d0000\"",
  "links": {"self": {"uri": "https://api.partner.microsoft.com/v1.0/engagements/referrals/ae6c1a80", "method": "GET"}}
}`

func TestReferralFromDocumentationMapsToLead(t *testing.T) {
	r, err := partnercenter.DecodeReferral([]byte(docReferral))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Consent.ConsentToShareInfoWithOthers || r.ETag != `"2500ec5a-0000-0000-0000-5bf4967d0000"` || !partnercenter.IsQualifiedLead(r) {
		t.Fatalf("decoded %+v", r)
	}
	l, err := partnercenter.ToLead(r)
	if err != nil {
		t.Fatal(err)
	}
	want := lead.Lead{ExternalID: r.ID, Tab: "qualified", Classification: "sales_qualified", Actionable: true,
		CustomerCompany: "Contoso Traders", ContactFirstName: "Emily", ContactLastName: "Johnson",
		ContactEmail: "emily@contoso.example", ContactPhone: "+1 206 555 0100", Country: "US", City: "Seattle",
		Description: "Customer asked for a partner in the Pacific Northwest.", CustomerRequestedContact: true,
		CustomerConsent: true, Status: "received", DealName: "Contoso – Azure migration", DealValue: 1250050,
		Currency: "USD", PurchaseDate: "2027-01-31", Notes: "Wants to move SQL Server to Azure", CRMID: "CRM-881",
		SenderName: "Microsoft", CreatedAt: r.CreatedDateTime.Time, UpdatedAt: r.UpdatedDateTime.Time,
		ExpiresAt: r.ExpirationDateTime.Ptr()}
	if !reflect.DeepEqual(*l, want) {
		t.Fatalf("lead\n got %+v\nwant %+v", *l, want)
	}
}

func TestLeadStatusFromReferral(t *testing.T) {
	cases := []struct{ status, sub, reason, wantStatus, wantOutcome, wantReason, wantNotes string }{
		{"New", "Pending", "", "received", "", "", ""},
		{"New", "Received", "", "received", "", "", ""},
		{"Active", "Accepted", "", "accepted", "", "", ""},
		{"Closed", "Won", "", "archived", "won", "", ""},
		{"Closed", "Lost", "Customer chose another vendor: went with a reseller", "archived", "lost", "other_vendor", "went with a reseller"},
		{"Closed", "Declined", "Not a customer", "archived", "declined", "not_a_customer", ""},
		{"Closed", "Declined", "Typed by a colleague in Partner Center", "archived", "declined", "other", "Typed by a colleague in Partner Center"},
		{"Closed", "Expired", "", "archived", "expired", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.status+"/"+tc.sub, func(t *testing.T) {
			r, _ := partnercenter.DecodeReferral([]byte(docReferral))
			r.Status, r.Substatus, r.StatusReason = tc.status, tc.sub, tc.reason
			l, err := partnercenter.ToLead(r)
			if err != nil {
				t.Fatal(err)
			}
			if l.Status != tc.wantStatus || l.Outcome != tc.wantOutcome || l.Reason != tc.wantReason || l.ReasonNotes != tc.wantNotes {
				t.Fatalf("got %s/%s reason %q %q", l.Status, l.Outcome, l.Reason, l.ReasonNotes)
			}
			if (l.Status == "archived") != (l.ArchivedAt != nil) {
				t.Fatalf("archived %v but ArchivedAt %v", l.Status == "archived", l.ArchivedAt)
			}
		})
	}
}

func TestInvalidReferralNamesTheField(t *testing.T) {
	cases := []struct {
		name, from, to, field string
	}{
		{"missing id", `"id": "ae6c1a80-1d4c-4b5b-a6a6-2c7ab6b06df4"`, `"id": ""`, "id"},
		{"missing status", `"status": "New"`, `"status": ""`, "status"},
		{"unknown status", `"status": "New"`, `"status": "Paused"`, "status"},
		{"unknown substatus", `"substatus": "Received"`, `"substatus": "Snoozed"`, "substatus"},
		{"substatus of another status", `"substatus": "Received"`, `"substatus": "Won"`, "substatus"},
		{"unknown type", `"type": "Independent"`, `"type": "Solo"`, "type"},
		{"unknown qualification", `"qualification": "SalesQualified"`, `"qualification": "Hot"`, "qualification"},
		{"unknown direction", `"direction": "Incoming"`, `"direction": "Sideways"`, "direction"},
		{"bad currency", `"currency": "USD"`, `"currency": "dollars"`, "details.currency"},
		{"bad country", `"country": "us"`, `"country": "United States"`, "customerProfile.address.country"},
		{"negative deal value", `"dealValue": 12500.5`, `"dealValue": -5`, "details.dealValue"},
		{"deal value of words", `"dealValue": 12500.5`, `"dealValue": "a lot"`, "details.dealValue"},
		{"close date of words", `"closingDateTime": "2027-01-31T00:00:00Z"`, `"closingDateTime": "end of January"`, "details.closingDateTime"},
		{"update time of the wrong type", `"updatedDateTime": "2026-11-21T08:00:00.5Z"`, `"updatedDateTime": 20261121`, "updatedDateTime"},
		{"status of the wrong type", `"status": "New"`, `"status": 3`, "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(docReferral, tc.from, tc.to, 1)
			if body == docReferral {
				t.Fatal("the case does not change the document")
			}
			_, err := partnercenter.DecodeReferral([]byte(body))
			var fe *partnercenter.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FieldError", err)
			}
			if fe.Field != tc.field && !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestIsQualifiedLead(t *testing.T) {
	msft := &partnercenter.InviteContext{InvitedBy: &partnercenter.Organization{OrganizationID: "msft"}}
	other := &partnercenter.InviteContext{InvitedBy: &partnercenter.Organization{OrganizationID: "partner-77"}}
	cases := []struct {
		name string
		r    partnercenter.Referral
		want bool
	}{
		{"sales qualified from Microsoft", partnercenter.Referral{Type: "Independent", Qualification: "SalesQualified", InviteContext: msft}, true},
		{"marketing qualified, no inviter", partnercenter.Referral{Type: "Independent", Qualification: "MarketingQualified"}, true},
		{"marketplace lead (Direct)", partnercenter.Referral{Type: "Independent", Qualification: "Direct", InviteContext: msft}, false},
		{"co-sell invited by a partner", partnercenter.Referral{Type: "Independent", Qualification: "SalesQualified", InviteContext: other}, false},
		{"shared co-sell", partnercenter.Referral{Type: "Shared", Qualification: "SalesQualified", InviteContext: msft}, false},
		{"outgoing", partnercenter.Referral{Type: "Independent", Qualification: "SalesQualified", Direction: "Outgoing", InviteContext: msft}, false},
	}
	for _, tc := range cases {
		if got := partnercenter.IsQualifiedLead(tc.r); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDecimalToMinorUnits(t *testing.T) {
	cases := []struct {
		in       string
		currency string
		want     int64
		err      bool
	}{
		{"12500.50", "USD", 1250050, false},
		{"12500.5", "USD", 1250050, false},
		{"10000", "USD", 1000000, false},
		{"1200000", "JPY", 1200000, false},
		{"1200000.4", "JPY", 1200000, false},
		{"1200000.5", "JPY", 1200001, false},
		{"0.005", "USD", 1, false},
		{"0.004", "USD", 0, false},
		{"1e3", "USD", 100000, false},
		{"1.5E+2", "USD", 15000, false},
		{"0.1", "USD", 10, false}, // 0.1 is not exact in binary floating point; here it is
		{"0.0999", "USD", 10, false},
		{"9.995", "USD", 1000, false},
		{"10000000000000", "USD", money.Max, false}, // money.Max: the one range of every amount
		{"10000000000000.01", "USD", 0, true},
		{"92233720368547758.08", "USD", 0, true},
		{"-1", "USD", 0, true},
		{"1,000", "USD", 0, true},
		{"", "USD", 0, true},
	}
	for _, tc := range cases {
		got, err := partnercenter.Decimal(tc.in).Amount(tc.currency)
		if (err != nil) != tc.err || got.Minor != tc.want {
			t.Errorf("%q %s: got %d, %v; want %d (error %v)", tc.in, tc.currency, got.Minor, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{{1250050, "USD", "12500.50"}, {5, "USD", "0.05"}, {1200000, "JPY", "1200000"}, {0, "USD", "0.00"}} {
		if got := partnercenter.DecimalOf(money.Amount{Minor: tc.minor, Currency: tc.currency}); string(got) != tc.want {
			t.Errorf("DecimalOf(%d %s) = %s, want %s", tc.minor, tc.currency, got, tc.want)
		}
	}
	var d struct {
		V partnercenter.Decimal `json:"v"`
	}
	for _, in := range []string{`{"v":12500.50}`, `{"v":"12500.50"}`} {
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.V != "12500.50" {
			t.Errorf("%s read as %q, %v", in, d.V, err)
		}
	}
}

func TestPatchOpsForLeadChanges(t *testing.T) {
	received := lead.Lead{ExternalID: "r1", Status: "received", Currency: "USD"}
	accepted := lead.Lead{ExternalID: "r1", Status: "accepted", Currency: "USD", DealValue: 1250050, PurchaseDate: "2027-01-31"}
	op := func(path string, v any) partnercenter.PatchOp {
		return partnercenter.PatchOp{Op: "replace", Path: path, Value: v}
	}
	with := func(l lead.Lead, edit func(*lead.Lead)) lead.Lead { edit(&l); return l }
	cases := []struct {
		name          string
		before, after lead.Lead
		want          []partnercenter.PatchOp
		err           bool
	}{
		{"accept with the deal", received, accepted, []partnercenter.PatchOp{
			op("/details/dealValue", "12500.50"), op("/details/closingDateTime", "2027-01-31T00:00:00Z"),
			op("/status", "Active"), op("/substatus", "Accepted")}, false},
		{"decline with reason", received, with(received, func(l *lead.Lead) {
			l.Status, l.Outcome, l.Reason, l.ReasonNotes = "archived", "declined", "no_response", "called twice"
		}), []partnercenter.PatchOp{op("/status", "Closed"), op("/substatus", "Declined"),
			op("/statusReason", "Customer didn't respond: called twice")}, false},
		{"won", accepted, with(accepted, func(l *lead.Lead) { l.Status, l.Outcome = "archived", "won" }),
			[]partnercenter.PatchOp{op("/status", "Closed"), op("/substatus", "Won")}, false},
		{"lost with reason", accepted, with(accepted, func(l *lead.Lead) { l.Status, l.Outcome, l.Reason = "archived", "lost", "budget" }),
			[]partnercenter.PatchOp{op("/status", "Closed"), op("/substatus", "Lost"), op("/statusReason", "Project budget isn't adequate")}, false},
		{"value and currency in yen", accepted, with(accepted, func(l *lead.Lead) { l.DealValue, l.Currency = 1800000, "JPY" }),
			[]partnercenter.PatchOp{op("/details/dealValue", "1800000"), op("/details/currency", "JPY")}, false},
		{"close date", accepted, with(accepted, func(l *lead.Lead) { l.PurchaseDate = "2027-03-01" }),
			[]partnercenter.PatchOp{op("/details/closingDateTime", "2027-03-01T00:00:00Z")}, false},
		{"CRM id", accepted, with(accepted, func(l *lead.Lead) { l.CRMID = "CRM-9" }),
			[]partnercenter.PatchOp{op("/externalReferenceId", "CRM-9")}, false},
		{"expiry is Partner Center's own", received, with(received, func(l *lead.Lead) { l.Status, l.Outcome = "archived", "expired" }), nil, false},
		{"nothing changed", accepted, accepted, nil, false},
		{"reopening cannot be written", with(accepted, func(l *lead.Lead) { l.Status, l.Outcome = "archived", "won" }), accepted, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := partnercenter.PatchOpsFor(&tc.before, &tc.after)
			if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v\nwant %+v (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
}

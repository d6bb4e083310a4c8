package intake

// Consent is the one rule, for every way a lead comes in (the marketplace endpoint, the JSON API, CSV
// import, and later the Partner Center sync), for whether the customer asked to be contacted and
// whether they may be mailed (the decline notice goes only with consent, docs/design.md §4):
//
//   - The customer asked to be contacted when the source says so (requested) or when the call to
//     action is "Contact me" — pressing that button is the request.
//   - The customer consented when they said so themselves (stated, where the source carries such an
//     answer: the API's customerConsent, a CSV Consent column, the marketplace's "Do not contact"
//     action). An explicit no is never overridden, not even by a request to be contacted.
//   - Without a stated answer, asking to be contacted is consent to be contacted.
//
// stated is nil when the source says nothing either way.
func Consent(cta string, requested bool, stated *bool) (requestedContact, consent bool) {
	requestedContact = requested || cta == "contact_me"
	consent = requestedContact
	if stated != nil {
		consent = *stated
	}
	return requestedContact, consent
}

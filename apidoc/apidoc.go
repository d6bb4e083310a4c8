// Package apidoc holds the OpenAPI 3.1 document of Leaddesk's JSON API and webhooks (openapi.json,
// served at /api/v1/openapi.json). Tests validate real responses and webhook bodies against it, so it
// cannot drift from what the server sends.
package apidoc

import _ "embed"

// OpenAPI is the document, as served.
//
//go:embed openapi.json
var OpenAPI []byte

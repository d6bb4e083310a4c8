package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
)

// Parts of the Leads page that depend on a handful of values are kept rendered, like its rows
// (leads_rows.go): the filter menu and the pills above the list (on the selection, the choices and
// the count), the head of the results with the bulk bar and the sort headers, and the pager (on the
// view, its count and its page). Executing them was a third of a results page's CPU and more of a
// full page's, most of it in text/template's reflection (make bench, perf). Paging and sorting keep
// the filter menu; a view asked again (a refresh after a change elsewhere, a second tab, the back
// button) keeps all three.
//
// A fragment's key is the language, the partial and the JSON of what the partial is given — every
// exported field, which is all a template can read — so a kept fragment is reused exactly where a
// fresh rendering would be byte for byte the same, with nothing to invalidate
// (TestKeptFragmentsFollowEveryInput). The data given must therefore be plain values: structs of
// exported fields, slices and maps of them, with no method that reads anything else.

// maxKeptFragmentBytes bounds the kept fragments: with its key, a filter menu counts about 12 KB, a
// results head 8 KB and a pager 3 KB, so 4 MB keeps a team's few hundred recent views.
const maxKeptFragmentBytes = 4 << 20

// fragment is the partial name of leads/index rendered in lang with data, kept.
func (h *Handler) fragment(lang, name string, data any) (template.HTML, error) {
	enc, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("key of fragment %s: %w", name, err)
	}
	key := lang + "\x00" + name + "\x00" + string(enc)
	if v, ok := h.fragments.get(&key); ok {
		return v, nil
	}
	var b bytes.Buffer
	v, err := h.partialHTML(&b, lang, name, data)
	if err != nil {
		return "", err
	}
	h.fragments.put(&key, v, len(key)+len(v)+64)
	return v, nil
}

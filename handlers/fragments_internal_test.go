package handlers

import (
	"bytes"
	"reflect"
	"testing"
)

// TestKeptFragmentsFollowEveryInput: a kept fragment is what a fresh rendering of its partial gives,
// whatever changed in what the partial is given — every field of the filter panel, the results' head
// and the pager, down to one country, one owner, one sort link and one page link — and in either
// language. A key that left out anything the partial shows would hand back the older rendering.
func TestKeptFragmentsFollowEveryInput(t *testing.T) {
	h := rowTestHandler(t)
	for _, f := range []struct {
		name string
		data any // a pointer to the partial's data
	}{
		{"ws-filter-menu", &filterPanel{}}, {"ws-filter-pills", &filterPanel{}}, {"ws-results-head", &resultsHead{}}, {"ws-pager", &pager{}},
	} {
		v := reflect.ValueOf(f.data).Elem()
		fillAll(v)
		check := func(lang, path string) {
			t.Helper()
			kept, err := h.fragment(lang, f.name, v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var fresh bytes.Buffer
			if err := h.Views.RenderPartial(&fresh, lang, "leads/index", f.name, v.Interface()); err != nil {
				t.Fatal(err)
			}
			if string(kept) != fresh.String() {
				t.Errorf("%s, %s changed (%s): the kept fragment is not a fresh rendering:\nkept  %s\nfresh %s", f.name, path, lang, kept, fresh.String())
			}
		}
		n := 0
		for _, lang := range []string{"en", "ja"} {
			check(lang, "nothing")
			leaves(v, f.name, func(path string) {
				n++
				check(lang, path)
				check(lang, path) // asked again: now from the kept ones
			})
		}
		if n < 2*v.NumField() {
			t.Errorf("%s: only %d changes tried for %d fields", f.name, n/2, v.NumField())
		}
	}
	if k := h.fragments.len(); k < 40 {
		t.Errorf("only %d fragments kept: the renderings are not kept", k)
	}
}

package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"leaddesk/lead"
	"leaddesk/static"
	"leaddesk/views"
)

// fillAll sets every field of v (recursively, pointers allocated afresh) to a non-zero value.
func fillAll(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fillAll(v.Field(i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem())
	case reflect.Slice: // one element
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillAll(v.Index(0))
	case reflect.Map: // one entry
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k)
		fillAll(e)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("a")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	default:
		panic(fmt.Sprintf("fillAll: a %s field; teach this test (and keyOfRow) about it", v.Kind()))
	}
}

// leaves changes every leaf of v in turn (strings, bools, integers, times, and each optional pointer
// to nil; inside slices and maps too), calls change with its path, and puts it back.
func leaves(v reflect.Value, path string, change func(path string)) {
	switch {
	case v.Kind() == reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			leaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i), change)
		}
	case v.Kind() == reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			leaves(e, fmt.Sprintf("%s[%v]", path, k), func(path string) {
				v.SetMapIndex(k, e)
				change(path)
			})
			v.SetMapIndex(k, e)
		}
	case v.Type() == reflect.TypeFor[time.Time]():
		old := v.Interface().(time.Time)
		v.Set(reflect.ValueOf(old.Add(time.Second)))
		change(path)
		v.Set(reflect.ValueOf(old))
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			leaves(v.Field(i), path+"."+v.Type().Field(i).Name, change)
		}
	case v.Kind() == reflect.Pointer:
		if v.Type() != reflect.TypeFor[*lead.Lead]() { // a row always has its lead
			old := v.Interface()
			v.Set(reflect.Zero(v.Type())) // nil instead of set
			change(path + " (nil)")
			v.Set(reflect.ValueOf(old))
		}
		leaves(v.Elem(), path, change)
	case v.Kind() == reflect.String:
		old := v.String()
		v.SetString(old + "x")
		change(path)
		v.SetString(old)
	case v.Kind() == reflect.Bool:
		v.SetBool(!v.Bool())
		change(path)
		v.SetBool(!v.Bool())
	default:
		old := v.Int()
		v.SetInt(old + 1)
		change(path)
		v.SetInt(old)
	}
}

// TestRowKeyNamesEverythingARowIsGiven: a kept row is reused only for a key equal to its own, so the
// key must change with every value "ws-row" is given — each field of the lead and of the leadRow
// around it (link, heart, cells, due, urgency, flame, and whatever is added to them later) — and
// must not change between two loads of the same lead (a pointer kept by address would).
func TestRowKeyNamesEverythingARowIsGiven(t *testing.T) {
	full := func() leadRow {
		r := leadRow{}
		fillAll(reflect.ValueOf(&r).Elem())
		return r
	}
	base := keyOfRow("en", full())
	if keyOfRow("en", full()) != base {
		t.Fatal("two loads of the same lead give different keys: a pointer field of lead.Lead is keyed by its address (see leadValues)")
	}
	if keyOfRow("ja", full()) == base {
		t.Error("the language is not in the key")
	}
	r := full()
	n := 0
	leaves(reflect.ValueOf(&r).Elem(), "leadRow", func(path string) {
		if strings.HasPrefix(path, "leadRow.Text.") || strings.HasPrefix(path, "leadRow.Cells.") || path == "leadRow.Heart.Button" {
			return // made from the rest of the row and the language when it is rendered (renderParts)
		}
		n++
		if keyOfRow("en", r) == base {
			t.Errorf("%s is not in the row's key: a row kept before it changed would be shown after", path)
		}
	})
	if n < 60 {
		t.Errorf("only %d fields checked; the walk missed the lead's", n)
	}
}

func rowTestHandler(t testing.TB) *Handler {
	t.Helper()
	cat, err := views.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := views.NewRenderer(cat, assets, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Views: r, Catalog: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		rows: newKeptHTML[rowKey](maxKeptRowBytes), fragments: newKeptHTML[string](maxKeptFragmentBytes)}
}

// TestKeptRowsAreReusedUntilTheirDataChanges: the rows are "ws-row"'s own output; asked again with the
// same data (the lead loaded afresh), the kept rendering is what comes back — marked here to tell it
// from a fresh one — and a change of the lead or of the language renders the row afresh.
func TestKeptRowsAreReusedUntilTheirDataChanges(t *testing.T) {
	h := rowTestHandler(t)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	load := func() *lead.Lead {
		exp := at.Add(lead.ExpiryWindow)
		return &lead.Lead{ID: 7, Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", CustomerCompany: "Contoso",
			ContactFirstName: "Ann", ContactLastName: "Lee", Country: "JP", Status: "received", CreatedAt: at, ExpiresAt: &exp}
	}
	row := func(l *lead.Lead, lang string) leadRow {
		return h.leadRow(&rowsOf{lang: lang, now: at, query: "tab=marketplace", canWork: true, csrf: "token"}, l, false, false, nil)
	}
	first, err := h.renderRows("en", []leadRow{row(load(), "en")})
	if err != nil {
		t.Fatal(err)
	}
	var fresh bytes.Buffer
	r := row(load(), "en")
	h.renderParts("en", &r)
	if err := h.Views.RenderPartial(&fresh, "en", "leads/index", "ws-row", r); err != nil {
		t.Fatal(err)
	}
	if string(first) != fresh.String() || !strings.Contains(fresh.String(), "Contoso") {
		t.Fatalf("the row is not ws-row's rendering:\nrow   %s\nfresh %s", first, fresh.String())
	}
	k := keyOfRow("en", row(load(), "en"))
	h.rows.cur[k] = keptEntry{html: "kept"}
	if again, _ := h.renderRows("en", []leadRow{row(load(), "en")}); again != "kept" {
		t.Errorf("the same lead loaded again is rendered afresh instead of reused")
	}
	changed := load()
	changed.CustomerCompany = "Contoso KK"
	if got, _ := h.renderRows("en", []leadRow{row(changed, "en")}); !strings.Contains(string(got), "Contoso KK") {
		t.Errorf("a changed lead shows its kept row: %s", got)
	}
	if got, _ := h.renderRows("ja", []leadRow{row(load(), "ja")}); got == "kept" || !strings.Contains(string(got), "を選択") {
		t.Errorf("Japanese shows the English row: %s", got)
	}
}

// TestFreshRowsComeInOrder: a page of rows none of which is kept yet (rendered on several cores),
// with kept ones among them, is each row's own rendering in the page's order.
func TestFreshRowsComeInOrder(t *testing.T) {
	h := rowTestHandler(t)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var rows []leadRow
	for i := range 50 {
		l := &lead.Lead{ID: int64(i + 1), Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource",
			CustomerCompany: fmt.Sprintf("Company %02d", i), Country: "JP", Status: "received", CreatedAt: at}
		rows = append(rows, h.leadRow(&rowsOf{lang: "ja", now: at, query: "tab=marketplace"}, l, false, false, nil))
	}
	if _, err := h.renderRows("ja", rows[10:13]); err != nil { // three kept beforehand
		t.Fatal(err)
	}
	got, err := h.renderRows("ja", rows)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	for _, r := range rows {
		h.renderParts("ja", &r)
		if err := h.Views.RenderPartial(&want, "ja", "leads/index", "ws-row", r); err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != want.String() {
		t.Errorf("the page's rows are not each row's rendering in order:\ngot  %.300s…\nwant %.300s…", got, want.String())
	}
	if n := h.rows.len(); n != 50 {
		t.Errorf("%d rows kept after a page of 50", n)
	}
}

// TestKeptRowsStayWithinTheirBound: however many rows pass through, the rows kept fit in
// maxKeptRowBytes, and a row that pages keep asking for stays kept while the others go.
func TestKeptRowsStayWithinTheirBound(t *testing.T) {
	rc := newKeptHTML[rowKey](maxKeptRowBytes)
	html := template.HTML(strings.Repeat("x", 3000))
	key := func(i int) rowKey {
		return rowKey{lang: "en", lead: leadValues{Lead: lead.Lead{ID: int64(i)}}, row: leadRow{Link: fmt.Sprintf("/leads/%d?tab=marketplace", i)}}
	}
	inUse := key(0)
	rc.put(&inUse, html, keptRowSize(&inUse, html))
	most := maxKeptRowBytes / (len(html) + keptRowOverhead)
	for i := 1; i <= 5*most; i++ {
		k := key(i)
		rc.put(&k, html, keptRowSize(&k, html))
		if i%100 == 0 {
			if _, ok := rc.get(&inUse); !ok {
				t.Fatalf("the row in use was dropped after %d others", i)
			}
		}
		if n := rc.len(); n > most {
			t.Fatalf("%d rows of 3 KB kept, more than %d MB holds", n, maxKeptRowBytes>>20)
		}
	}
	if rc.len() < most/3 {
		t.Errorf("only %d rows kept of the %d the bound allows", rc.len(), most)
	}
}

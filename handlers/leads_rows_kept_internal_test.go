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
// to nil), calls change with its path, and puts it back.
func leaves(v reflect.Value, path string, change func(path string)) {
	switch {
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
		n++
		if keyOfRow("en", r) == base {
			t.Errorf("%s is not in the row's key: a row kept before it changed would be shown after", path)
		}
	})
	if n < 60 {
		t.Errorf("only %d fields checked; the walk missed the lead's", n)
	}
}

func rowTestHandler(t *testing.T) *Handler {
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
	return &Handler{Views: r, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
		r := leadRow{Lead: l, Link: "/leads/7?tab=marketplace", Due: "13 days", CanWork: true}
		r.Cells = h.rowCells(lang, l, "")
		r.Heart = rowHeart{ID: l.ID, CSRF: "token", Button: h.cell(heartButtonCell{lang, false})}
		return r
	}
	first, err := h.renderRows("en", []leadRow{row(load(), "en")})
	if err != nil {
		t.Fatal(err)
	}
	var fresh bytes.Buffer
	if err := h.Views.RenderPartial(&fresh, "en", "leads/index", "ws-row", row(load(), "en")); err != nil {
		t.Fatal(err)
	}
	if string(first[0]) != fresh.String() || !strings.Contains(fresh.String(), "Contoso") {
		t.Fatalf("the row is not ws-row's rendering:\nrow   %s\nfresh %s", first[0], fresh.String())
	}
	k := keyOfRow("en", row(load(), "en"))
	h.rows.cur[k] = "kept"
	if again, _ := h.renderRows("en", []leadRow{row(load(), "en")}); again[0] != "kept" {
		t.Errorf("the same lead loaded again is rendered afresh instead of reused")
	}
	changed := load()
	changed.CustomerCompany = "Contoso KK"
	if got, _ := h.renderRows("en", []leadRow{row(changed, "en")}); !strings.Contains(string(got[0]), "Contoso KK") {
		t.Errorf("a changed lead shows its kept row: %s", got[0])
	}
	if got, _ := h.renderRows("ja", []leadRow{row(load(), "ja")}); got[0] == "kept" || !strings.Contains(string(got[0]), "を選択") {
		t.Errorf("Japanese shows the English row: %s", got[0])
	}
}

// TestKeptRowsStayWithinTheirBound: however many rows pass through, the rows kept fit in
// maxKeptRowBytes, and a row that pages keep asking for stays kept while the others go.
func TestKeptRowsStayWithinTheirBound(t *testing.T) {
	var rc rowCache
	html := template.HTML(strings.Repeat("x", 3000))
	key := func(i int) rowKey {
		return rowKey{lang: "en", lead: leadValues{Lead: lead.Lead{ID: int64(i)}}, row: leadRow{Link: fmt.Sprintf("/leads/%d?tab=marketplace", i)}}
	}
	inUse := key(0)
	rc.put(&inUse, html)
	most := maxKeptRowBytes / (len(html) + keptRowOverhead)
	for i := 1; i <= 5*most; i++ {
		k := key(i)
		rc.put(&k, html)
		if i%100 == 0 {
			if _, ok := rc.get(&inUse); !ok {
				t.Fatalf("the row in use was dropped after %d others", i)
			}
		}
		if n := len(rc.cur) + len(rc.prev); n > most {
			t.Fatalf("%d rows of 3 KB kept, more than %d MB holds", n, maxKeptRowBytes>>20)
		}
	}
	if len(rc.cur)+len(rc.prev) < most/3 {
		t.Errorf("only %d rows kept of the %d the bound allows", len(rc.cur)+len(rc.prev), most)
	}
}

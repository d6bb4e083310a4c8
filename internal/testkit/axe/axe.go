// Package axe runs axe-core, the accessibility checker, on the page open in a chromedp tab. axe-core
// is a test asset: scripts/vendor.sh fetches a pinned version from the npm registry into this
// directory (version and licence in VERSIONS and axe.LICENSE), and only tests import this package, so
// the served binary never carries it.
package axe

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

//go:embed axe.min.js
var source string

// Violation is one axe rule broken on a page, with the elements that break it.
type Violation struct {
	Rule    string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// String reads "rule (impact): help — target, target".
func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s — %s", v.Rule, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// run checks the whole document against WCAG 2.0–2.2 A and AA and axe's best practices, and returns
// only the violations, each with its elements' CSS selectors. Elements inside shadow roots or iframes
// come back as a list of selectors, joined here with " >> ".
const run = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
	resultTypes: ["violations"]
}).then(function (r) {
	return r.violations.map(function (v) {
		return {id: v.id, impact: v.impact || "", help: v.help, targets: v.nodes.map(function (n) {
			return [].concat(n.target).map(function (t) { return [].concat(t).join(" >> "); }).join(" >> ");
		})};
	});
})`

// Check injects axe-core into the current document (once; a navigation needs it again) and returns
// its violations, none when the page passes. It is evaluated through the DevTools protocol, so the
// page's Content-Security-Policy (script-src 'self') does not stop it.
func Check() chromedp.Action[[]Violation] {
	return func(ctx context.Context, t *chromedp.Target) ([]Violation, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe === "object"`)(ctx, t)
		if err != nil {
			return nil, err
		}
		if !loaded {
			if _, err := chromedp.Evaluate[chromedp.Void](source)(ctx, t); err != nil {
				return nil, fmt.Errorf("inject axe-core: %w", err)
			}
		}
		vs, err := chromedp.Evaluate[[]Violation](run, chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("run axe-core: %w", err)
		}
		return vs, nil
	}
}

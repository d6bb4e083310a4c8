package handlers

import (
	"html/template"
	"sync"
)

// insightsBodies keeps the rendered figures and charts (the insights-body block) of recent Insights
// requests of one lead index generation. Drawing a year of weeks, the heat map and the tables is
// thousands of template actions (BenchmarkInsights: about half of a page whose report the index
// already kept), and a page opened again, or by a colleague, before any lead changes is the same HTML.
type insightsBodies struct {
	mu    sync.Mutex
	gen   uint64
	byKey map[string]template.HTML
}

const insightsBodiesSize = 64

// get is the body kept for key at generation gen.
func (b *insightsBodies) get(gen uint64, key string) (template.HTML, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen != gen {
		return "", false
	}
	body, ok := b.byKey[key]
	return body, ok
}

// put keeps a body rendered from the leads of generation gen; a new generation, or a full cache,
// starts afresh.
func (b *insightsBodies) put(gen uint64, key string, body template.HTML) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen != gen || b.byKey == nil || len(b.byKey) >= insightsBodiesSize {
		b.gen, b.byKey = gen, map[string]template.HTML{}
	}
	b.byKey[key] = body
}

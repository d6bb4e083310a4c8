package leadindex

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"leaddesk/insights"
	"leaddesk/lead"
	"leaddesk/leadfilter"
)

// comboFacts is what one pass needs to know of each combo, looked up per lead by its combo: three
// bytes, so the table of a hundred thousand combos stays in the CPU's cache.
type comboFacts struct {
	match, actionable, open bool  // open: status accepted, in the pipeline
	outcome                 uint8 // leadfilter.Code(lead.Outcomes, …)
	source                  uint8 // index into lead.Sources, len(lead.Sources) for none
	week                    uint8 // the weekly chart's class: source<<2 | actionable<<1 | (actionable and expired)
	money                   uint8 // open*numOutcomes + outcome
}

// numOutcomes is the number of outcome codes (0 for none): counters kept per outcome let the pass
// add without branching on it.
var numOutcomes = len(lead.Outcomes) + 1

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// periodAcc accumulates one period's headline figures.
type periodAcc struct {
	perCombo []int32
	accepted int
	answers  *insights.Durations
	// Per currency name id: minor units, and whether any lead counted (a sum may be 0).
	won, pipeline       []int64
	hasWon, hasPipeline []bool
}

// Insights is the Insights report (DESIGN §11) of the non-test leads f admits that were received in
// period, with the headline figures of prev beside it; weeks and hours are in loc. One pass over each
// period's leads in creation order (the created permutation), as of the last Ensure; f's search and
// favourites are not used.
//
// Reports are kept per generation (any change to a lead starts a new one), so a page opened again, or
// by a colleague, before a lead changes is not counted again. A report is shared: callers only read it.
func (ix *Index) Insights(f leadfilter.Filter, period, prev insights.Period, loc *time.Location) *insights.Report {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f.Test, f.Q = false, ""
	if f.Tab == "favorites" {
		f.Tab = ""
	}
	key := f.Key() + "|" + strconv.FormatInt(period.From.Unix(), 10) + "|" + strconv.FormatInt(period.To.Unix(), 10) + "|" +
		strconv.FormatInt(prev.From.Unix(), 10) + "|" + loc.String()
	if r, ok := ix.reports.get(ix.gen, key); ok {
		return r
	}
	r := ix.insights(f, period, prev, loc)
	ix.reports.put(ix.gen, key, r)
	return r
}

// reportCache keeps the last few Insights reports of one index generation.
type reportCache struct {
	mu    sync.Mutex
	gen   uint64
	byKey map[string]*insights.Report
}

const reportCacheSize = 32

func (c *reportCache) reset() {
	c.mu.Lock()
	c.byKey = nil
	c.mu.Unlock()
}

func (c *reportCache) get(gen uint64, key string) (*insights.Report, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byKey[key]
	return r, ok && c.gen == gen
}

func (c *reportCache) put(gen uint64, key string, r *insights.Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || len(c.byKey) >= reportCacheSize {
		c.gen, c.byKey = gen, map[string]*insights.Report{}
	}
	c.byKey[key] = r
}

// insights computes the report; the caller holds mu (read).
func (ix *Index) insights(f leadfilter.Filter, period, prev insights.Period, loc *time.Location) *insights.Report {
	table := ix.matchTable(f)
	won, lost, declined, expired := leadfilter.Code(lead.Outcomes, "won"), leadfilter.Code(lead.Outcomes, "lost"),
		leadfilter.Code(lead.Outcomes, "declined"), leadfilter.Code(lead.Outcomes, "expired")
	accepted := leadfilter.Code(lead.Statuses, "accepted")
	cf := make([]comboFacts, len(ix.combos))
	for c := range ix.combos {
		a := &ix.combos[c]
		cf[c] = comboFacts{match: table[c], actionable: a.Actionable, outcome: a.Outcome, open: a.Status == accepted, source: uint8(len(lead.Sources))}
		if a.Source != 0 {
			cf[c].source = a.Source - 1
		}
		cf[c].money = uint8(b2i(cf[c].open)*numOutcomes) + a.Outcome
		cf[c].week = cf[c].source<<2 | uint8(b2i(a.Actionable))<<1 | uint8(b2i(a.Actionable && a.Outcome == expired))
	}
	r := insights.NewReport(period, prev, loc)
	now, before := periodAcc{answers: ix.durations()}, periodAcc{answers: ix.durations()}
	defer ix.releaseDurations(now.answers, before.answers)
	ix.insightsPass(cf, prev, &before, nil, loc)
	ix.insightsPass(cf, period, &now, r, loc)

	figures := func(acc *periodAcc) insights.Figures {
		var fg insights.Figures
		for c, n := range acc.perCombo {
			if n == 0 {
				continue
			}
			fg.Received += int(n)
			if cf[c].actionable {
				fg.Actionable += int(n)
				if cf[c].outcome == expired {
					fg.Expired += int(n)
				}
			}
			switch cf[c].outcome {
			case won:
				fg.Won += int(n)
			case lost:
				fg.Lost += int(n)
			case declined:
				fg.Declined += int(n)
			}
		}
		fg.Accepted, fg.Answered = acc.accepted, acc.answers.N()
		fg.Median, fg.P90 = acc.answers.Quantile(0.5), acc.answers.Quantile(0.9)
		fg.WonValue, fg.Pipeline = insights.Amounts(ix.byName(acc.won, acc.hasWon)), insights.Amounts(ix.byName(acc.pipeline, acc.hasPipeline))
		return fg
	}
	r.Now, r.Prev = figures(&now), figures(&before)
	now.answers.Buckets(r.Answers)
	countryOf, countryNames := ix.comboCountries()
	byCountry := make([]insights.Group, len(countryNames))
	for c, n := range now.perCombo {
		if n == 0 {
			continue
		}
		g := &byCountry[countryOf[c]]
		g.Leads += int(n)
		switch cf[c].outcome {
		case won:
			g.Won += int(n)
		case lost:
			g.Lost += int(n)
		}
	}
	countries := map[string]*insights.Group{}
	for id, name := range countryNames {
		if g := &byCountry[id]; g.Leads > 0 && name != "" {
			g.Key = name
			countries[name] = g
		}
	}
	r.Countries = insights.Ranked(countries)
	return r
}

// durations is an empty Durations from the index's pool.
func (ix *Index) durations() *insights.Durations {
	if d, ok := ix.durationPool.Get().(*insights.Durations); ok {
		return d
	}
	return &insights.Durations{}
}

func (ix *Index) releaseDurations(ds ...*insights.Durations) {
	for _, d := range ds {
		d.Reset()
		ix.durationPool.Put(d)
	}
}

// byName turns per-name-id sums (those with has set) into per-name sums.
func (ix *Index) byName(sums []int64, has []bool) map[string]int64 {
	out := map[string]int64{}
	for id, v := range sums {
		if has[id] {
			out[ix.names[id]] += v
		}
	}
	return out
}

// insightsPass counts the matching leads received in p into acc, and when r is set, the charts too.
// The caller holds mu (read).
func (ix *Index) insightsPass(cf []comboFacts, p insights.Period, acc *periodAcc, r *insights.Report, loc *time.Location) {
	// perm[0] is ascending by created, then id; permCombo[0] beside it lets leads the filter leaves out
	// be skipped without reading them.
	perm, permCombo := ix.perm[0], ix.permCombo[0]
	from, to := p.From.Unix(), p.To.Unix()
	lo := sort.Search(len(perm), func(i int) bool { return int64(ix.created[perm[i]]) >= from })
	hi := sort.Search(len(perm), func(i int) bool { return int64(ix.created[perm[i]]) >= to })
	acc.perCombo = make([]int32, len(ix.combos))
	acc.won, acc.pipeline = make([]int64, len(ix.names)), make([]int64, len(ix.names))
	acc.hasWon, acc.hasPipeline = make([]bool, len(ix.names)), make([]bool, len(ix.names))
	won, lost, declined := leadfilter.Code(lead.Outcomes, "won"), leadfilter.Code(lead.Outcomes, "lost"),
		leadfilter.Code(lead.Outcomes, "declined")

	// Chart state: the current week and hour advance with the leads, which come in creation order.
	var (
		weekStart []int64
		wk        = -1
		byClass   [][]int // per week, leads per comboFacts.week
		hourEnd   int64   = -1 << 62
		day, hour int
		// Per name id and outcome (id*numOutcomes+outcome), allocated only when the charts are wanted.
		offers, reasons []int
		// Per currency name id, open and outcome (comboFacts.money): deal values, leads, and leads
		// with a value.
		sums            = make([]int64, len(ix.names)*2*numOutcomes)
		counts, nonzero = make([]int32, len(ix.names)*2*numOutcomes), make([]int32, len(ix.names)*2*numOutcomes)
	)
	if r != nil {
		for _, w := range r.Weeks {
			weekStart = append(weekStart, w.Start.Unix())
		}
		byClass = make([][]int, len(r.Weeks))
		for i := range byClass {
			byClass[i] = make([]int, (len(lead.Sources)+1)<<2)
		}
		offers, reasons = make([]int, len(ix.names)*numOutcomes), make([]int, len(ix.names)*numOutcomes)
	}
	// The columns and counters in locals: the compiler then keeps them in registers instead of
	// reloading them through ix and acc after every store.
	var (
		facts, createdAt, values = ix.facts, ix.created, ix.value
		perCombo, answers        = acc.perCombo, acc.answers
		numOut, charts           = numOutcomes, r != nil
		accepted                 int
		heat                     *[7][24]int
	)
	if charts {
		heat = &r.Heat
	}
	for i := lo; i < hi; i++ {
		c := permCombo[i]
		f := &cf[c]
		if !f.match {
			continue
		}
		p := perm[i]
		fact := &facts[p]
		perCombo[c]++
		accepted += b2i(fact.accepted)
		created, value := int64(createdAt[p]), values[p]
		if f.actionable && fact.answered != 0 {
			answers.Add(int64(fact.answered) - created)
		}
		k := int(fact.currency)*2*numOut + int(f.money)
		sums[k] += value
		counts[k]++
		nonzero[k] += int32(b2i(value != 0))
		if !charts {
			continue
		}
		for wk+1 < len(weekStart) && created >= weekStart[wk+1] {
			wk++
		}
		if wk >= 0 {
			byClass[wk][f.week]++
		}
		if created >= hourEnd {
			t := time.Unix(created, 0).In(loc)
			start := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
			hourEnd = start.Add(time.Hour).Unix()
			day, hour = (int(t.Weekday())+6)%7, t.Hour()
		}
		heat[day][hour]++
		offers[int(fact.offer)*numOut+int(f.outcome)]++
		reasons[int(fact.reason)*numOut+int(f.outcome)]++
	}
	acc.accepted += accepted
	for id := range acc.won {
		// Won: the leads won, open or not; the pipeline: the open leads with a value or a currency.
		for open := range 2 {
			k := (id*2 + open) * numOutcomes
			acc.won[id] += sums[k+int(won)]
			acc.hasWon[id] = acc.hasWon[id] || counts[k+int(won)] != 0
		}
		k := (id*2 + 1) * numOutcomes
		for o := range numOutcomes {
			acc.pipeline[id] += sums[k+o]
			acc.hasPipeline[id] = acc.hasPipeline[id] || nonzero[k+o] != 0 || (counts[k+o] != 0 && ix.names[id] != "")
		}
	}
	if r == nil {
		return
	}
	for i := range r.Weeks {
		w := &r.Weeks[i]
		bySource := make([]int, len(lead.Sources)+1)
		for cls, n := range byClass[i] {
			w.Received += n
			bySource[cls>>2] += n
			if cls&2 != 0 {
				w.Actionable += n
			}
			if cls&1 != 0 {
				w.Expired += n
			}
		}
		for s, n := range bySource {
			if n == 0 {
				continue
			}
			key := ""
			if s < len(lead.Sources) { // the last column is leads without a source
				key = lead.Sources[s]
			}
			w.BySource[key] = n
		}
	}
	byOffer := map[string]*insights.Group{}
	for id, name := range ix.names {
		k := id * numOutcomes
		if n := reasons[k+int(declined)]; n != 0 {
			r.DeclineReasons[name] += n
		}
		if n := reasons[k+int(lost)]; n != 0 {
			r.LostReasons[name] += n
		}
		g := insights.Group{Key: name, Won: offers[k+int(won)], Lost: offers[k+int(lost)]}
		for o := range numOutcomes {
			g.Leads += offers[k+o]
		}
		if g.Leads > 0 && name != "" {
			byOffer[name] = &g
		}
	}
	r.Offers = insights.Ranked(byOffer)
	// Locations, like countries, are per combo: counted from the leads per combo after the pass.
	locations := map[int32]*insights.Group{}
	for c, n := range acc.perCombo {
		l := int32(ix.combos[c].Location)
		if n == 0 || l == 0 {
			continue
		}
		lg := locations[l]
		if lg == nil {
			lg = &insights.Group{Key: strconv.Itoa(int(l))}
			locations[l] = lg
		}
		lg.Leads += int(n)
		switch cf[c].outcome {
		case won:
			lg.Won += int(n)
		case lost:
			lg.Lost += int(n)
		}
	}
	byLocation := make(map[string]*insights.Group, len(locations))
	for _, g := range locations {
		byLocation[g.Key] = g
	}
	r.Locations = insights.Ranked(byLocation)
}

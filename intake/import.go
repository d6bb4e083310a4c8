package intake

import (
	"context"
	"io"
	"strings"
	"time"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/lead"
)

// ImportBatch is how many rows go into one transaction. Each commit writes every index page its rows
// touched (twice: to the WAL, then to the database at the checkpoint), and the rows of a real file
// land all over the leads' twelve indexes, so past a few hundred thousand leads a batch rewrites most
// index pages whatever its size: fewer, bigger batches write far less (1M rows: 167 s with 10,000,
// 127 s with 20,000, 100 s with 50,000 on the 2-core build machine). 20,000 holds the write lock for
// about two seconds at a million leads, which other writers wait out (busy_timeout is 10 s).
const ImportBatch = 20000

// RowResult is what happened to one CSV row.
type RowResult struct {
	Line     int
	Status   string    // imported, duplicate, skipped
	ID       int64     // the new lead, or the one it repeats
	Reason   string    // why it was skipped, in English
	Problems []Problem // the same, to translate
	Lead     *lead.Lead
}

// Report sums up an import (or a preview).
type Report struct {
	Rows, Imported, Duplicates, Skipped int
	Took                                time.Duration
}

// Check reads the whole file without storing anything: a file-level error (encoding, quoting, no
// known columns) means nothing of it may be imported; otherwise each row's problems go to onRow.
func Check(in io.Reader, now time.Time, onRow func(RowResult)) (Report, error) {
	var rep Report
	start := time.Now()
	r, err := NewCSVReader(in, now)
	if err != nil {
		return rep, err
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		res := RowResult{Line: row.Line, Status: "imported", Lead: row.Lead}
		if len(row.Errors) > 0 {
			res.Status, res.Reason, res.Problems = "skipped", joinProblems(row.Errors), row.Errors
			rep.Skipped++
		}
		if onRow != nil {
			onRow(res)
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// ImportOptions are the time the import works as of, where its batches go, and who hears of each row.
type ImportOptions struct {
	Now time.Time
	// Store writes one batch of valid leads in one transaction and answers, per lead, its id and
	// whether it is new (the leads service's Import.Save).
	Store func(ctx context.Context, leads []*lead.Lead) ([]db.IncomingResult, error)
	OnRow func(RowResult) // called for every row, in order
	// DNS checks that email domains take mail (nil: off). Each batch's distinct domains are looked up
	// together before its rows are validated, once per domain thanks to the resolver's cache.
	DNS *contact.Resolver
}

// Import stores every valid row of a CSV file through opt.Store in batches of ImportBatch rows, after
// validating the contact details; rows that repeat a stored lead (same LeadId, or same email + offer
// + call to action within a day) count as duplicates. Call Check first: a file-level error here
// stops the import with the earlier batches kept, which Check rules out for files read twice.
func Import(ctx context.Context, d *db.DB, in io.Reader, opt ImportOptions) (Report, error) {
	var rep Report
	start := time.Now()
	spam, err := loadSpamSet(ctx, d)
	if err != nil {
		return rep, err
	}
	r, err := NewCSVReader(in, opt.Now)
	if err != nil {
		return rep, err
	}
	// Reading and validating the next batch (CPU) overlaps with writing this one (SQLite): a reader
	// goroutine hands complete batches to the writer below.
	type parsed struct {
		rows []*CSVRow
		err  error
	}
	batches := make(chan parsed, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		batch := make([]*CSVRow, 0, ImportBatch)
		send := func(p parsed) bool {
			select {
			case batches <- p:
				return true
			case <-stop:
				return false
			}
		}
		// validated checks a whole batch: its email domains first (concurrently, outside any
		// transaction), then each row from the warm cache.
		validated := func(batch []*CSVRow) parsed {
			if opt.DNS != nil {
				domains := make([]string, 0, len(batch))
				for _, row := range batch {
					if len(row.Errors) == 0 {
						domains = append(domains, contact.EmailDomain(row.Lead.ContactEmail))
					}
				}
				opt.DNS.Prefetch(ctx, domains)
			}
			for _, row := range batch {
				if len(row.Errors) == 0 {
					if err := Validate(ctx, row.Lead, spam, opt.DNS); err != nil {
						return parsed{err: err}
					}
				}
			}
			return parsed{rows: batch}
		}
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				send(parsed{err: err})
				return
			}
			batch = append(batch, row)
			if len(batch) == ImportBatch {
				if p := validated(batch); !send(p) || p.err != nil {
					return
				}
				batch = make([]*CSVRow, 0, ImportBatch)
			}
		}
		if len(batch) > 0 {
			send(validated(batch))
		}
	}()
	for p := range batches {
		if p.err != nil {
			return rep, p.err
		}
		rep.Rows += len(p.rows)
		if err := writeImportBatch(ctx, p.rows, opt, &rep); err != nil {
			return rep, err
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// writeImportBatch stores one batch of validated rows through opt.Store (all of it or, on an error,
// none of it), and reports each row.
func writeImportBatch(ctx context.Context, batch []*CSVRow, opt ImportOptions, rep *Report) error {
	results := make([]RowResult, len(batch))
	leads := make([]*lead.Lead, 0, len(batch))
	rowOf := make([]int, 0, len(batch))
	for i, row := range batch {
		results[i] = RowResult{Line: row.Line, Lead: row.Lead}
		if len(row.Errors) > 0 {
			results[i].Status, results[i].Reason, results[i].Problems = "skipped", joinProblems(row.Errors), row.Errors
			continue
		}
		leads = append(leads, row.Lead)
		rowOf = append(rowOf, i)
	}
	saved, err := opt.Store(ctx, leads)
	if err != nil {
		return err
	}
	for k, s := range saved {
		res := &results[rowOf[k]]
		res.ID, res.Status = s.ID, "duplicate"
		if s.Created {
			res.Status = "imported"
		}
	}
	for _, res := range results {
		switch res.Status {
		case "imported":
			rep.Imported++
		case "duplicate":
			rep.Duplicates++
		default:
			rep.Skipped++
		}
		if opt.OnRow != nil {
			opt.OnRow(res)
		}
	}
	return nil
}

// spamSet is the spam list held in memory for one import, so a million rows need no million lookups.
type spamSet map[string]bool

func loadSpamSet(ctx context.Context, d *db.DB) (spamSet, error) {
	entries, err := d.ListSpam(ctx)
	if err != nil {
		return nil, err
	}
	s := spamSet{}
	for _, e := range entries {
		s[strings.ToLower(e.Value)] = true
	}
	return s, nil
}

// IsSpam implements contact.SpamList.
func (s spamSet) IsSpam(address string, domains []string) (bool, error) {
	if s[strings.ToLower(address)] {
		return true, nil
	}
	for _, dom := range domains {
		if s[dom] {
			return true, nil
		}
	}
	return false, nil
}

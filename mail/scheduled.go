package mail

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"time"

	"leaddesk/db"
	"leaddesk/insights"
	"leaddesk/jobs"
	"leaddesk/leadfilter"
	"leaddesk/lifecycle"
	"leaddesk/money"
)

// The scheduled personal mails (docs/design.md §4): the weekly summary on Monday morning and the
// morning "today" mail on working days. Each is decided once per user and period: the decision row
// (db.ClaimScheduledMailTx) and the outbox row are written in one transaction, so a second run, a
// second instance or a restart never sends one twice.

// Morning is when the scheduled mails go, in the configured time zone: from MorningFrom o'clock until
// MorningUntil. A server that is down all morning skips that morning's mails rather than sending a
// "today" mail in the evening or a Monday summary on Tuesday.
const (
	MorningFrom  = 7
	MorningUntil = 12
)

// The scheduled mails' kinds, as the outbox and the decision rows name them.
const (
	KindWeeklySummary = "weekly_summary"
	KindToday         = "today"
)

// inMorning is t's local time and whether it falls in the mails' morning window.
func inMorning(t time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return t, t.Hour() >= MorningFrom && t.Hour() < MorningUntil
}

// ScheduledJobs are the jobs that queue the scheduled mails; register them before the outbox job so
// `leaddesk jobs` queues and sends in one go. Each runs every five minutes: the morning window is
// hours long, and a run outside it does nothing.
func (n *Notifier) ScheduledJobs(d *db.DB) []jobs.Job {
	return []jobs.Job{
		{Name: "mail-weekly-summary", Every: 5 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, err := n.QueueWeeklySummaries(ctx, d, now)
			return err
		}},
		{Name: "mail-today", Every: 5 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
			_, err := n.QueueTodayMails(ctx, d, now)
			return err
		}},
	}
}

// summaryFigures are one week's headline figures as the outbox stores them: plain numbers, rendered
// in the recipient's language when the mail is sent.
type summaryFigures struct {
	Received   int            `json:"received"`
	Actionable int            `json:"actionable"`
	Answered   int            `json:"answered"`
	Accepted   int            `json:"accepted"`
	Expired    int            `json:"expired"`
	Won        int            `json:"won"`
	Lost       int            `json:"lost"`
	MedianSec  int64          `json:"median_sec"`
	P90Sec     int64          `json:"p90_sec"`
	Pipeline   []money.Amount `json:"pipeline"`
	WonValue   []money.Amount `json:"won_value"`
}

func newSummaryFigures(f *insights.Figures) summaryFigures {
	return summaryFigures{Received: f.Received, Actionable: f.Actionable, Answered: f.Answered, Accepted: f.Accepted,
		Expired: f.Expired, Won: f.Won, Lost: f.Lost, MedianSec: int64(f.Median / time.Second), P90Sec: int64(f.P90 / time.Second),
		Pipeline: f.Pipeline, WonValue: f.WonValue}
}

// QueueWeeklySummaries queues, on Monday morning, last week's summary to every user who receives it
// (the mail-weekly-summary job). The figures are the Insights page's for last week (Monday to Sunday
// in the configured zone, every lead but test leads) against the week before, computed once for all
// recipients. It answers how many mails it queued.
func (n *Notifier) QueueWeeklySummaries(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	env := n.env(now)
	local, ok := inMorning(now, env.Loc)
	if !ok || local.Weekday() != time.Monday {
		return 0, nil
	}
	monday := insights.WeekStart(now, local.Location())
	period := insights.Period{From: monday.AddDate(0, 0, -7), To: monday}
	prev := insights.Period{From: monday.AddDate(0, 0, -14), To: period.From}
	week := period.From.Format("2006-01-02")
	recipients, err := db.WeeklySummaryRecipientsTx(ctx, d)
	if err != nil {
		return 0, err
	}
	var due []db.Recipient
	for _, r := range recipients {
		done, err := db.ScheduledMailDoneTx(ctx, d, KindWeeklySummary, r.UserID, week)
		if err != nil {
			return 0, err
		}
		if !done {
			due = append(due, r)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	report, err := d.Insights(ctx, leadfilter.Filter{}, period, prev, local.Location())
	if err != nil {
		return 0, err
	}
	last := period.To.AddDate(0, 0, -1).Format("2006-01-02")
	q := url.Values{"range": {"custom"}, "from": {week}, "to": {last}}
	params := map[string]any{"from": week, "to": last, "now": newSummaryFigures(&report.Now), "prev": newSummaryFigures(&report.Prev),
		"link": env.BaseURL + "/insights?" + q.Encode()}
	queued := 0
	for _, r := range due {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			claimed, err := db.ClaimScheduledMailTx(ctx, tx, KindWeeklySummary, r.UserID, week, true, now)
			if err != nil || !claimed {
				return err
			}
			ok, err := db.EnqueueMailTx(ctx, tx, now, db.OutboxMessage{Kind: KindWeeklySummary, ToEmail: r.Email, ToName: r.Name, Lang: r.Lang,
				Params: params, DedupeKey: KindWeeklySummary + ":" + strconv.FormatInt(r.UserID, 10) + ":" + week})
			if ok {
				queued++
			}
			return err
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// QueueTodayMails queues, each working morning (Monday to Friday in the configured zone), the "today"
// mail to every user who chose it and is not away: their next steps due today or overdue (as their
// Action Center lists them) and their unanswered leads that expire within the reminder's 48 hours
// (the mail-today job). A user with nothing due gets nothing; that too is decided once a day. It
// answers how many mails it queued.
func (n *Notifier) QueueTodayMails(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	env := n.env(now)
	local, ok := inMorning(now, env.Loc)
	if !ok || local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
		return 0, nil
	}
	today := local.Format("2006-01-02")
	recipients, err := db.TodayMailRecipientsTx(ctx, d)
	if err != nil {
		return 0, err
	}
	away, err := db.AwayUsersTx(ctx, d, now)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, r := range recipients {
		if away[r.UserID] {
			continue
		}
		done, err := db.ScheduledMailDoneTx(ctx, d, KindToday, r.UserID, today)
		if err != nil {
			return queued, err
		}
		if done {
			continue
		}
		steps, err := d.DueNextSteps(ctx, r.UserID, today)
		if err != nil {
			return queued, err
		}
		err = d.InTx(ctx, func(tx *sql.Tx) error {
			expiring, err := db.OwnedLeadsNearExpiryTx(ctx, tx, r.UserID, now, lifecycle.ReminderBefore)
			if err != nil {
				return err
			}
			something := len(steps) > 0 || len(expiring) > 0
			claimed, err := db.ClaimScheduledMailTx(ctx, tx, KindToday, r.UserID, today, something, now)
			if err != nil || !claimed || !something {
				return err
			}
			stepItems := make([]map[string]any, 0, len(steps))
			for _, s := range steps {
				stepItems = append(stepItems, map[string]any{"company": s.Company, "step": s.Step, "due": s.Due,
					"overdue": s.Due < today, "link": env.LeadURL(s.LeadID)})
			}
			leadItems := make([]map[string]any, 0, len(expiring))
			for _, l := range expiring {
				leadItems = append(leadItems, map[string]any{"company": l.CustomerCompany, "flame": l.CustomerRequestedContact,
					"respond_by": l.ExpiresAt.Unix(), "link": env.LeadURL(l.ID)})
			}
			ok, err := db.EnqueueMailTx(ctx, tx, now, db.OutboxMessage{Kind: KindToday, ToEmail: r.Email, ToName: r.Name, Lang: r.Lang,
				Params:    map[string]any{"day": today, "steps": stepItems, "expiring": leadItems, "link": env.BaseURL + "/action-center"},
				DedupeKey: KindToday + ":" + strconv.FormatInt(r.UserID, 10) + ":" + today})
			if ok {
				queued++
			}
			return err
		})
		if err != nil {
			return queued, err
		}
	}
	// The decisions matter only while their morning lasts; a few weeks are kept for the record.
	return queued, db.PruneScheduledMailRunsTx(ctx, d, local.AddDate(0, 0, -60).Format("2006-01-02"))
}

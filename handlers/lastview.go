package handlers

import (
	"context"
	"sync"
)

// lastViews holds each user's newest Leads view until it is written to the database. The list would
// otherwise write users.last_view on every filter change, sort or page (a write per request under
// load); FlushLastViews writes the newest view per user every few seconds and at shutdown. A crash
// loses at most those seconds of "where was I" — never a lead, a decision or a message.
type lastViews struct {
	mu      sync.Mutex
	pending map[int64]string
}

func (v *lastViews) set(userID int64, view string) {
	v.mu.Lock()
	if v.pending == nil {
		v.pending = map[int64]string{}
	}
	v.pending[userID] = view
	v.mu.Unlock()
}

// get returns the user's unwritten view, if any.
func (v *lastViews) get(userID int64) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	view, ok := v.pending[userID]
	return view, ok
}

// FlushLastViews writes every pending last view. A view that fails to write stays pending, unless a
// newer one replaced it meanwhile.
func (h *Handler) FlushLastViews(ctx context.Context) error {
	h.lastViews.mu.Lock()
	batch := h.lastViews.pending
	h.lastViews.pending = nil
	h.lastViews.mu.Unlock()
	var firstErr error
	for userID, view := range batch {
		if err := h.DB.SetLastView(ctx, userID, view); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			h.lastViews.mu.Lock()
			if _, newer := h.lastViews.pending[userID]; !newer {
				if h.lastViews.pending == nil {
					h.lastViews.pending = map[int64]string{}
				}
				h.lastViews.pending[userID] = view
			}
			h.lastViews.mu.Unlock()
		}
	}
	return firstErr
}

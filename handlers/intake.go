package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/lead"
	"leaddesk/leads"
)

// intakeBodyLimit caps a marketplace or API request body: a real lead is a few kilobytes.
const intakeBodyLimit = 64 << 10

// intakeErrors is the 400 answer naming each bad field.
type intakeErrors struct {
	Error  string              `json:"error"`
	Status int                 `json:"status"`
	Fields []intake.FieldError `json:"fields"`
}

// marketplaceLead receives the commercial marketplace's HTTPS-endpoint JSON (docs/design.md §5): 201 with the
// new lead's id, 200 with the stored id for a repeated delivery, 400 naming each bad field, 413 past
// intakeBodyLimit. 201 is sent only after the transaction committed.
func (h *Handler) marketplaceLead(c echo.Context) error {
	body, err := h.readIntakeBody(c)
	if err != nil {
		return err
	}
	l, errs := intake.ParseMarketplace(body)
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	return h.storeIncoming(c, l, 0, "marketplace")
}

// readIntakeBody reads a request body up to intakeBodyLimit, answering 413 past it.
func (h *Handler) readIntakeBody(c echo.Context) ([]byte, error) {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, intakeBodyLimit)
	body, err := io.ReadAll(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, h.T(c, "intake.api.too_large", intakeBodyLimit>>10))
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request")).SetInternal(err)
	}
	return body, nil
}

func (h *Handler) intakeBadRequest(c echo.Context, errs intake.Errors) error {
	return c.JSON(http.StatusBadRequest, intakeErrors{Error: h.T(c, "intake.api.bad_fields", errs.Error()), Status: http.StatusBadRequest, Fields: errs})
}

// storeIncoming validates the contact details, hands the lead to the leads service (which stores it,
// or finds the one it repeats, and records its arrival), then answers 201 or 200 with the id.
func (h *Handler) storeIncoming(c echo.Context, l *lead.Lead, actorID int64, actorLabel string) error {
	ctx := c.Request().Context()
	if err := intake.Validate(ctx, l, db.SpamChecker{Ctx: ctx, Q: h.DB}, h.DNS); err != nil {
		return err
	}
	id, created, err := h.Leads.Receive(ctx, lead.Actor{UserID: actorID, Label: actorLabel}, l)
	if leads.IsUnknownLocation(err) {
		// The routing rule (docs/design.md §6) takes a named location only if the profile has it.
		errs := intake.Errors{{Field: "location", Message: fmt.Sprintf("%q is not a location of the business profile (give its id or name)", l.LocationRef)}}
		return c.JSON(http.StatusUnprocessableEntity, intakeErrors{Error: h.T(c, "intake.api.bad_fields", errs.Error()),
			Status: http.StatusUnprocessableEntity, Fields: errs})
	}
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, map[string]any{"id": id})
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "duplicate": true})
}

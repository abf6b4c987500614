package bot

import (
	"context"
	"log/slog"
)

// requestIDAttr is the attribute naming the Slack request a log line
// belongs to.
const requestIDAttr = "request_id"

// NewLogHandler wraps h so that every record logged with the context of a
// Slack request (a handler's, its post-ack work's, and whatever they call
// with it: the store, the Slack client) carries request_id, once: a logger
// or a record that has it already is left alone.
func NewLogHandler(h slog.Handler) slog.Handler {
	return &requestIDHandler{next: h}
}

type requestIDHandler struct {
	next slog.Handler
	has  bool // a WithAttrs already added request_id
}

func (h *requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.has && ctx != nil {
		if id := RequestID(ctx); id != "" && !recordHas(r, requestIDAttr) {
			r = r.Clone()
			r.AddAttrs(slog.String(requestIDAttr, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	has := h.has
	for _, a := range attrs {
		has = has || a.Key == requestIDAttr
	}
	return &requestIDHandler{next: h.next.WithAttrs(attrs), has: has}
}

func (h *requestIDHandler) WithGroup(name string) slog.Handler {
	// A grouped logger adds the ID inside the group: still on the line.
	return &requestIDHandler{next: h.next.WithGroup(name), has: h.has}
}

func recordHas(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}

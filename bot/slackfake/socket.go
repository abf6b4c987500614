package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const socketPath = "/socket"

// socketHub serves the Socket Mode WebSocket that apps.connections.open
// points to, and matches acks to the envelopes sent.
type socketHub struct {
	upgrader websocket.Upgrader

	mu        sync.Mutex
	conns     []*socketConn
	connected chan struct{} // closed at the first connection
	waiting   map[string]chan json.RawMessage
	seq       int
}

type socketConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	done    chan struct{}
}

func newSocketHub() *socketHub {
	return &socketHub{
		upgrader:  websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		connected: make(chan struct{}),
		waiting:   make(map[string]chan json.RawMessage),
	}
}

func (h *socketHub) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered already
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}
	if err := c.write(map[string]any{
		"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0FAKE"},
		"debug_info":      map[string]any{"host": "slackfake", "approximate_connection_time": 3600},
	}); err != nil {
		_ = ws.Close()
		return
	}
	h.mu.Lock()
	h.conns = append(h.conns, c)
	if len(h.conns) == 1 {
		close(h.connected)
	}
	h.mu.Unlock()
	go c.ping()
	h.readAcks(c)
}

// readAcks delivers acks ({"envelope_id", "payload"}) until the connection closes.
func (h *socketHub) readAcks(c *socketConn) {
	defer close(c.done)
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := c.ws.ReadJSON(&ack); err != nil {
			return
		}
		h.mu.Lock()
		ch := h.waiting[ack.EnvelopeID]
		delete(h.waiting, ack.EnvelopeID)
		h.mu.Unlock()
		if ch != nil {
			ch <- ack.Payload
		}
	}
}

// ping keeps the client's dead-connection timer happy, as Slack does.
func (c *socketConn) ping() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
				return
			}
		}
	}
}

func (c *socketConn) write(v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteJSON(v)
}

func (h *socketHub) closeAll() {
	h.mu.Lock()
	conns := h.conns
	h.conns = nil
	h.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// WaitSocketConnected waits until a Socket Mode client has connected.
func (s *Server) WaitSocketConnected(ctx context.Context) error {
	select {
	case <-s.socket.connected:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slackfake: waiting for a socket mode connection: %w", ctx.Err())
	}
}

// Socket Mode envelope types for SendSocket.
const (
	SocketEventsAPI     = "events_api"
	SocketInteractive   = "interactive"
	SocketSlashCommands = "slash_commands"
)

// SendSocket sends a Socket Mode envelope of type typ ("events_api",
// "interactive", "slash_commands") with payload over the newest connection,
// then waits for its ack and returns the ack's payload (nil when empty).
func (s *Server) SendSocket(ctx context.Context, typ string, payload any, retryAttempt int) (json.RawMessage, error) {
	h := s.socket
	h.mu.Lock()
	if len(h.conns) == 0 {
		h.mu.Unlock()
		return nil, errors.New("slackfake: no socket mode connection")
	}
	c := h.conns[len(h.conns)-1]
	h.seq++
	envelopeID := fmt.Sprintf("env-%d", h.seq)
	ackc := make(chan json.RawMessage, 1)
	h.waiting[envelopeID] = ackc
	h.mu.Unlock()

	env := map[string]any{
		"envelope_id": envelopeID, "type": typ, "payload": payload,
		"accepts_response_payload": typ != SocketEventsAPI,
		"retry_attempt":            retryAttempt, "retry_reason": "",
	}
	if retryAttempt > 0 {
		env["retry_reason"] = "timeout"
	}
	if err := c.write(env); err != nil {
		return nil, fmt.Errorf("slackfake: send socket envelope: %w", err)
	}
	select {
	case p := <-ackc:
		return p, nil
	case <-ctx.Done():
		h.mu.Lock()
		delete(h.waiting, envelopeID)
		h.mu.Unlock()
		return nil, fmt.Errorf("slackfake: waiting for ack of %s: %w", envelopeID, ctx.Err())
	}
}

package main

import (
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// bareHandler is the yardstick of ack latency: it only checks the Slack
// signature of a request and answers 200 with an empty body, as the
// cheapest correct Slack endpoint would. The balancer sends it a copy of
// every fifth request, signed alike, under the same load.
func bareHandler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, "signature", http.StatusUnauthorized)
			return
		}
		if _, err := sv.Write(body); err != nil || sv.Ensure() != nil {
			http.Error(w, "signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

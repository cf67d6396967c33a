package main

import (
	"encoding/json"
	"errors"
	"mime"
	"testing"
)

// FuzzDecodeRequest checks the API body decoder against its contract on
// any Content-Type and body: it never panics, fails only with its two
// errors, accepts only valid JSON under an accepted media type, agrees with
// a plain decode into map[string]any, and round-trips what it accepts.
// Seeds: testdata/fuzz/FuzzDecodeRequest (plain `go test` runs them).
//
//	go test -run '^$' -fuzz FuzzDecodeRequest -fuzztime 30s ./web
func FuzzDecodeRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		token, err := decodeRequest(contentType, body)

		mediaOK := contentType == ""
		if mt, _, perr := mime.ParseMediaType(contentType); perr == nil {
			mediaOK = mt == "application/json" || mt == "text/plain"
		}
		if !mediaOK {
			if !errors.Is(err, errUnsupportedMediaType) {
				t.Fatalf("Content-Type %q accepted: %q, %v", contentType, token, err)
			}
			return
		}

		// Reference: the same question answered another way.
		var ref map[string]any
		refToken, refOK := "", false
		if json.Unmarshal(body, &ref) == nil && ref != nil {
			refToken, refOK = ref["auth_token"].(string)
			refOK = refOK && refToken != ""
		}

		switch {
		case err == nil:
			if token == "" || !json.Valid(body) {
				t.Fatalf("accepted token %q from %q", token, body)
			}
			if !refOK || refToken != token {
				t.Fatalf("decoded %q, reference %q (ok=%v) from %q", token, refToken, refOK, body)
			}
			// What the SDK would send for this token decodes to it again.
			again, err := decodeRequest(contentType, []byte(tokenBody(token)))
			if err != nil || again != token {
				t.Fatalf("round trip of %q: %q, %v", token, again, err)
			}
		case errors.Is(err, errMissingToken):
			if refOK {
				t.Fatalf("reference found token %q in %q, decoder did not", refToken, body)
			}
		default:
			t.Fatalf("unexpected error %v for %q", err, body)
		}
	})
}

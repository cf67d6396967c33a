package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawToken signs header and claims exactly as given (no re-encoding, so
// duplicate and odd-case keys survive) with HS256 and testSecret.
func rawToken(header, claims string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

const hs256Header = `{"alg":"HS256","typ":"JWT"}`

// claimCases are the hostile and the legitimate claim sets the JWT checks
// are tried with; {exp} is an hour ahead, {soon} 2 s ahead (inside the iat
// leeway), {later} an hour ahead, for iat.
var claimCases = []struct {
	name, claims string
	user         string // "" = rejected
}{
	{"case-folded duplicate sub", `{"sub":"alice","Sub":"bob","exp":{exp}}`, ""},
	{"upper-case duplicate sub", `{"sub":"alice","SUB":"bob","exp":{exp}}`, ""},
	{"duplicate sub", `{"sub":"alice","sub":"bob","exp":{exp}}`, ""},
	{"Unicode-folded sub (long s)", `{"sub":"alice","ſub":"bob","exp":{exp}}`, ""},
	{"only a folded sub", `{"Sub":"bob","exp":{exp}}`, ""},
	{"duplicate exp", `{"sub":"alice","exp":{exp},"exp":1}`, ""},
	{"folded EXP hides an expired exp", `{"sub":"alice","exp":{exp},"EXP":1}`, ""},
	{"string exp", `{"sub":"alice","exp":"{exp}"}`, ""},
	{"null exp", `{"sub":"alice","exp":null}`, ""},
	{"bool exp", `{"sub":"alice","exp":true}`, ""},
	{"object exp", `{"sub":"alice","exp":{"n":{exp}}}`, ""},
	{"huge exp", `{"sub":"alice","exp":1e300}`, ""},
	{"negative exp", `{"sub":"alice","exp":-1}`, ""},
	{"string iat", `{"sub":"alice","iat":"0","exp":{exp}}`, ""},
	{"string nbf", `{"sub":"alice","nbf":"0","exp":{exp}}`, ""},
	{"iat in the future", `{"sub":"alice","iat":{later},"exp":{exp}}`, ""},
	{"duplicate unknown key", `{"sub":"alice","exp":{exp},"role":"a","role":"b"}`, ""},
	{"plain", `{"sub":"alice","exp":{exp}}`, "alice"},
	{"iat now", `{"sub":"alice","iat":{soon},"exp":{exp}}`, "alice"},
	{"fractional exp", `{"sub":"alice","exp":{exp}.5}`, "alice"},
	{"nested duplicates are data", `{"sub":"alice","exp":{exp},"x":{"sub":"a","sub":"b"}}`, "alice"},
	{"similar but distinct key", `{"sub":"alice","subject":"bob","exp":{exp}}`, "alice"},
	{"no exp (optional)", `{"sub":"alice"}`, "alice"},
}

func claimsAt(format string, now time.Time) string {
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	return strings.NewReplacer("{exp}", unix(time.Hour), "{soon}", unix(2*time.Second), "{later}", unix(time.Hour)).Replace(format)
}

// Claims are read exactly: one key per name, in exact case, with numeric
// exp/iat/nbf and no iat in the future; each hostile set is refused over
// real HTTP with 401 UNAUTHORIZED, each legitimate one names its user.
func TestStrictClaims(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	now := time.Now()
	for _, tc := range claimCases {
		tok := rawToken(hs256Header, claimsAt(tc.claims, now))
		user, err := s.tokens.user(tok)
		if tc.user == "" {
			if err == nil {
				t.Errorf("%s: accepted as %q", tc.name, user)
			}
			if r := callOp(t, ts.Client(), ts.URL, "initiate", tok); r.Status != http.StatusUnauthorized || r.Error != codeUnauthorized {
				t.Errorf("%s: initiate gave %d %s", tc.name, r.Status, r.Raw)
			}
			continue
		}
		if err != nil || user != tc.user {
			t.Errorf("%s: got %q, %v; want %q", tc.name, user, err, tc.user)
		}
	}
	// The header gets the same walk: a duplicate alg is refused.
	if _, err := s.tokens.user(rawToken(`{"alg":"none","alg":"HS256"}`, claimsAt(`{"sub":"alice","exp":{exp}}`, now))); err == nil {
		t.Error("duplicate alg in the header accepted")
	}
}

// FuzzClaims signs any claims segment with the server's key and checks the
// contract of tokens.user: it never panics, its error never quotes the
// token, and what it accepts is an object with no duplicate keys, no key
// that only case-folds to a registered name, a non-empty string sub equal to
// the user returned, numeric exp/iat/nbf, exp in the future, nbf not in the
// future and iat at most iatLeeway ahead. Seeds: every claimCases entry.
//
//	go test -run '^$' -fuzz FuzzClaims -fuzztime 30s ./web
func FuzzClaims(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range claimCases {
		f.Add(claimsAt(tc.claims, now))
	}
	tk := newTokens([]byte(testSecret), func() time.Time { return now })
	f.Fuzz(func(t *testing.T, claims string) {
		tok := rawToken(hs256Header, claims)
		user, err := tk.user(tok)
		if err != nil {
			if sig := tok[strings.LastIndex(tok, ".")+1:]; strings.Contains(err.Error(), sig) {
				t.Fatalf("error quotes the token: %v", err)
			}
			return
		}
		// Reference: a plain decode (exact keys, last duplicate wins) plus a
		// count of the keys written, to see what a loose reader would see.
		var m map[string]any
		if err := json.Unmarshal([]byte(claims), &m); err != nil || m == nil {
			t.Fatalf("accepted claims that are not a JSON object: %q", claims)
		}
		dec := json.NewDecoder(strings.NewReader(claims))
		dec.Token()
		keys := 0
		for dec.More() {
			dec.Token()
			var skip json.RawMessage
			dec.Decode(&skip)
			keys++
		}
		if keys != len(m) {
			t.Fatalf("accepted %d keys of which only %d distinct: %q", keys, len(m), claims)
		}
		for k := range m {
			for _, name := range registeredClaims {
				if k != name && strings.EqualFold(k, name) {
					t.Fatalf("accepted key %q folding to %q: %q", k, name, claims)
				}
			}
		}
		if sub, _ := m["sub"].(string); sub == "" || sub != user {
			t.Fatalf("user %q, sub %#v: %q", user, m["sub"], claims)
		}
		sec := float64(now.Unix())
		for _, k := range []string{"exp", "iat", "nbf"} {
			v, present := m[k]
			n, isNumber := v.(float64)
			switch {
			case !present:
			case !isNumber:
				t.Fatalf("accepted %s %#v (not a number): %q", k, v, claims)
			case k == "exp" && n <= sec:
				t.Fatalf("accepted exp %v <= now %v: %q", n, sec, claims)
			case k == "iat" && n > sec+iatLeeway.Seconds():
				t.Fatalf("accepted iat %v in the future: %q", n, claims)
			case k == "nbf" && n > sec:
				t.Fatalf("accepted nbf %v in the future: %q", n, claims)
			}
		}
	})
}

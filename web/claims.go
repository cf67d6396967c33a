package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// strictJSONObject checks what golang-jwt's decoding (encoding/json) lets
// through but a token must not carry: encoding/json matches keys to struct
// fields case-insensitively (with Unicode folding, so "Sub" and "ſub" are
// sub) and keeps the last of duplicate keys, so {"sub":"alice","Sub":"bob"}
// would be bob; and it reads a JSON string into a json.Number, so
// "exp":"9999999999" would pass as a date. It walks the raw segment token by
// token and rejects a duplicate key, a key that only case-folds to a
// registered claim name, and a time claim (exp, iat, nbf) that is not a
// plain number of seconds; it also rejects an iat later than now+leeway.
// The same walk guards the header (duplicate "alg"). The error text is safe
// to send to the client and to log: it quotes nothing from the token.
func strictJSONObject(seg []byte, now time.Time, leeway time.Duration) error {
	dec := json.NewDecoder(bytes.NewReader(seg))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errors.New("not a JSON object")
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return errors.New("duplicate key")
		}
		seen[key] = true
		for _, name := range registeredClaims {
			if key != name && strings.EqualFold(key, name) {
				return fmt.Errorf("a key differs from %q only in case (claim names are case-sensitive)", name)
			}
		}
		switch key {
		case "exp", "iat", "nbf":
			v, err := dec.Token()
			n, isNumber := v.(json.Number)
			if err != nil || !isNumber {
				return fmt.Errorf("%s must be a number of seconds", key)
			}
			f, err := n.Float64()
			if err != nil || f < 0 || f > maxNumericDate {
				return fmt.Errorf("%s out of range", key)
			}
			if key == "iat" && f > float64(now.Add(leeway).UnixNano())/1e9 {
				return errors.New("token issued in the future (iat)")
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return errors.New("not a JSON object")
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// registeredClaims are RFC 7519's claim names (and the header's alg, typ,
// kid share the walk: none of them fold to one another).
var registeredClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "alg", "typ", "kid"}

// maxNumericDate bounds exp/iat/nbf, in seconds (year 2286): no real date
// is later, and golang-jwt's float-to-time conversion stays exact below it.
const maxNumericDate = 1e10

// iatLeeway is how far in the future an iat may be: clocks of a minting
// service and this server may differ a little; more is a forged or broken
// token. (golang-jwt's WithLeeway would also stretch exp, which stays exact.)
const iatLeeway = 5 * time.Second

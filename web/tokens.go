package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Tokens are HS256 JWTs whose "sub" names the user. The platform's real
// tokens come from its authorization flow; the dev server both mints them
// (/dev/token) and checks them, with one shared secret.
//
// Validation is github.com/golang-jwt/jwt/v5 with HS256 as the only accepted
// algorithm (so "none" and RS/ES confusion tricks fail), signature and exp
// checked against the injected clock (so testing/synctest can expire them),
// and no leeway: an expired token is expired. A token without exp is
// accepted, as RFC 7519 makes exp optional; every dev token carries one.
// On top of the library, claims.go reads the raw claims exactly: one key
// per name, exact case, exp/iat/nbf as numbers, no iat in the future.

// maxUserLen bounds the user names the dev server mints tokens for and
// accepts from tokens, so a single signed token cannot bloat the store.
const maxUserLen = 256

type tokens struct {
	secret []byte
	now    func() time.Time
	parser *jwt.Parser
}

func newTokens(secret []byte, now func() time.Time) *tokens {
	return &tokens{
		secret: secret,
		now:    now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithTimeFunc(now),
		),
	}
}

// mint returns a token for user that expires ttl from now (ttl 0 makes a
// token that is already expired, for tests of UNAUTHORIZED).
func (tk *tokens) mint(user string, ttl time.Duration) (string, time.Time, error) {
	now := tk.now()
	exp := now.Add(ttl)
	claims := jwt.RegisteredClaims{
		Subject:   user,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(tk.secret)
	return s, exp, err
}

// user validates token and returns the user it names. The error text is
// safe to send to the client and to log: it never contains the token.
func (tk *tokens) user(token string) (string, error) {
	var claims jwt.RegisteredClaims
	parsed, err := tk.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) {
		return tk.secret, nil
	})
	if err != nil {
		return "", tokenError(parsed, err)
	}
	// Signed by us, but encoding/json may have read it loosely: check the
	// raw header and claims segments exactly (claims.go).
	if err := tk.strict(token); err != nil {
		return "", err
	}
	switch {
	case claims.Subject == "":
		return "", errors.New("token names no user (sub)")
	case len(claims.Subject) > maxUserLen:
		return "", fmt.Errorf("token user (sub) longer than %d bytes", maxUserLen)
	}
	return claims.Subject, nil
}

// strict applies strictJSONObject to the header and claims of a token the
// parser accepted (so it has three segments that decode).
func (tk *tokens) strict(token string) error {
	segs := strings.SplitN(token, ".", 3)
	for i, what := range []string{"header", "claims"} {
		seg, err := tk.parser.DecodeSegment(segs[i])
		if err != nil {
			return errors.New("malformed token")
		}
		if err := strictJSONObject(seg, tk.now(), iatLeeway); err != nil {
			return fmt.Errorf("invalid token %s: %v", what, err)
		}
	}
	return nil
}

// tokenError turns a jwt error into a short reason for the client.
func tokenError(parsed *jwt.Token, err error) error {
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return errors.New("malformed token")
	}
	// jwt reports a disallowed alg as a bad signature; say what it is.
	if parsed != nil {
		if alg, _ := parsed.Header["alg"].(string); alg != jwt.SigningMethodHS256.Alg() {
			return errors.New("unsupported token algorithm (only HS256 is accepted)")
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return errors.New("token not valid yet")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errors.New("bad token signature")
	default:
		return errors.New("invalid token")
	}
}

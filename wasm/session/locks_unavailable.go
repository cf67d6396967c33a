package session

import "errors"

// ErrLocksUnavailable is what a Locker's Acquire wraps when locks cannot
// coordinate this page with the user's other tabs: the API is missing (an
// insecure context, an old browser), the browser denied it (SecurityError,
// as in a cross-site iframe), or the document is a cross-site iframe, where
// locks are partitioned per top-level site so that a portal tab and a
// top-level tab of the game never see each other's lock. The error's message
// says which. The engine then tells the game once (a non-fatal error event)
// and relies on the server for singleTab and takeover.
var ErrLocksUnavailable = errors.New("web locks cannot coordinate this page with the user's other tabs")

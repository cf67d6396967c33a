package session

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultOptionsAreTheDesigns(t *testing.T) {
	assert.Equal(t, Options{
		HeartbeatInterval:    9 * time.Second,
		SessionTTL:           10 * time.Second,
		RequestTimeout:       5 * time.Second,
		Credentials:          "same-origin",
		SingleTab:            true,
		BackgroundHeartbeats: true,
	}, DefaultOptions())
	o := DefaultOptions()
	o.APIBase = "https://api.example.com"
	assert.NoError(t, o.Validate())
}

func TestOptionsValidate(t *testing.T) {
	ms := time.Millisecond
	base := func(f func(*Options)) Options {
		o := DefaultOptions()
		o.APIBase = "https://api.test"
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"defaults", base(func(*Options) {}), true},
		{"no apiBase", base(func(o *Options) { o.APIBase = "" }), false},
		{"interval min", base(func(o *Options) { o.HeartbeatInterval = 10 * ms }), true},
		{"interval below min", base(func(o *Options) { o.HeartbeatInterval = 9 * ms }), false},
		{"interval negative", base(func(o *Options) { o.HeartbeatInterval = -time.Second }), false},
		{"interval max", base(func(o *Options) { o.HeartbeatInterval = time.Hour - time.Second; o.SessionTTL = time.Hour }), true},
		{"interval above max", base(func(o *Options) { o.HeartbeatInterval = time.Hour + ms; o.SessionTTL = time.Hour }), false},
		{"interval over default ttl", base(func(o *Options) { o.HeartbeatInterval = 20 * time.Second }), false},
		{"interval and ttl raised", base(func(o *Options) { o.HeartbeatInterval = 20 * time.Second; o.SessionTTL = 25 * time.Second }), true},
		{"ttl equal interval", base(func(o *Options) { o.HeartbeatInterval = 5 * time.Second; o.SessionTTL = 5 * time.Second }), false},
		{"ttl below default interval", base(func(o *Options) { o.SessionTTL = 8 * time.Second }), false},
		{"ttl max", base(func(o *Options) { o.SessionTTL = time.Hour }), true},
		{"ttl above max", base(func(o *Options) { o.SessionTTL = time.Hour + ms }), false},
		{"ttl negative", base(func(o *Options) { o.SessionTTL = -1 }), false},
		{"timeout min", base(func(o *Options) { o.RequestTimeout = 10 * ms }), true},
		{"timeout below min", base(func(o *Options) { o.RequestTimeout = ms }), false},
		{"timeout max", base(func(o *Options) { o.RequestTimeout = 10 * time.Minute }), true},
		{"timeout above max", base(func(o *Options) { o.RequestTimeout = 10*time.Minute + ms }), false},
		{"fractional ms", base(func(o *Options) { o.RequestTimeout = 1500 * time.Microsecond * 10 }), true},
		{"credentials include", base(func(o *Options) { o.Credentials = "include" }), true},
		{"credentials omit", base(func(o *Options) { o.Credentials = "omit" }), true},
		{"credentials bad", base(func(o *Options) { o.Credentials = "same_origin" }), false},
		{"credentials case", base(func(o *Options) { o.Credentials = "Include" }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, CodeInvalidArgument, e.Code)
			assert.Equal(t, 0, e.Status)
			assert.NotEmpty(t, e.Message)
		})
	}
}

func TestBackoffAndSendCap(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, backoff(n, 9*time.Second))
	}
	assert.Equal(t, seconds(0.25, 0.5, 1, 2, 4, 8, 9, 9), got)
	assert.Equal(t, 10*time.Millisecond, backoff(1, 10*time.Millisecond))
	assert.Equal(t, 9*time.Second, backoff(1<<30, 9*time.Second), "no overflow")

	var l sendLog
	var t0 Instant
	for i := range 4 {
		at := t0.Add(time.Duration(i) * time.Second)
		assert.Equal(t, at, l.earliest(at, 9*time.Second))
		l.record(at)
	}
	// The window is the interval and a margin (a thirtieth, at most 250 ms).
	assert.Equal(t, t0.Add(9250*time.Millisecond), l.earliest(t0.Add(4*time.Second), 9*time.Second), "a 5th within 9.25 s waits")
	l.record(t0.Add(9250 * time.Millisecond))
	assert.Equal(t, t0.Add(10250*time.Millisecond), l.earliest(t0.Add(9*time.Second), 9*time.Second))
	assert.Equal(t, t0.Add(11*time.Second), l.earliest(t0.Add(11*time.Second), 9*time.Second), "later is free")
	var fast sendLog
	for i := range 4 {
		fast.record(t0.Add(time.Duration(i) * time.Millisecond))
	}
	assert.Equal(t, t0.Add(930*time.Millisecond), fast.earliest(t0.Add(5*time.Millisecond), 900*time.Millisecond), "a thirtieth of a 900 ms interval")
}

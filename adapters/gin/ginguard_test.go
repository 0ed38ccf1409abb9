package ginguard_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/guardgo/guard/adapters/gin"
	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/policy"
)

func newEngine(t *testing.T, mutate func(*guard.Config), opts ...guard.Option) *guard.Engine {
	t.Helper()
	cfg := guard.DefaultConfig()
	cfg.LogSuspiciousLevel = "NONE"
	cfg.EnablePenetrationDetection = false
	cfg.Blacklist = []string{"203.0.113.0/24"}
	if mutate != nil {
		mutate(&cfg)
	}
	e, err := guard.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func get(h http.Handler, method, target, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = remote + ":1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestResponsePaths checks every way a gin handler writes a response gets
// the engine's headers and keeps its status and body.
func TestResponsePaths(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, nil)
	r := gin.New()
	var seen []int // statuses seen by a middleware in front of guard
	var mu sync.Mutex
	r.Use(func(c *gin.Context) {
		c.Next()
		mu.Lock()
		seen = append(seen, c.Writer.Status())
		mu.Unlock()
	})
	r.Use(ginguard.New(e))
	r.GET("/string", func(c *gin.Context) { c.String(http.StatusCreated, "made %d", 1) })
	r.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"a": 1}) })
	r.GET("/abort", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) })
	r.GET("/nocontent", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.GET("/empty", func(c *gin.Context) {})
	r.GET("/stream", func(c *gin.Context) {
		for i := range 3 {
			_, _ = c.Writer.WriteString("chunk")
			c.Writer.Flush()
			_ = i
		}
	})
	tests := []struct {
		name, path, remote string
		status             int
		body               string
	}{
		{"string", "/string", "198.51.100.1", 201, "made 1"},
		{"json", "/json", "198.51.100.1", 200, `{"a":1}`},
		{"abort", "/abort", "198.51.100.1", 401, ""},
		{"no content", "/nocontent", "198.51.100.1", 204, ""},
		{"empty handler", "/empty", "198.51.100.1", 200, ""},
		{"stream", "/stream", "198.51.100.1", 200, "chunkchunkchunk"},
		{"not found", "/missing", "198.51.100.1", 404, "404 page not found"},
		{"blocked", "/json", "203.0.113.7", 403, "Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(r, "GET", tt.path, tt.remote)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), tt.status, tt.body)
			}
			if w.Header().Get("X-Frame-Options") != "SAMEORIGIN" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("security headers missing: %v", w.Header())
			}
			mu.Lock()
			last := seen[len(seen)-1]
			mu.Unlock()
			if last != tt.status {
				t.Fatalf("outer middleware saw status %d, want %d", last, tt.status)
			}
		})
	}
}

// TestBlockedRequestNeverReachesHandler checks the chain is aborted.
func TestBlockedRequestNeverReachesHandler(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, nil)
	r := gin.New()
	r.Use(ginguard.New(e))
	ran := false
	r.GET("/", func(c *gin.Context) { ran = true })
	if w := get(r, "GET", "/", "203.0.113.1"); w.Code != 403 || ran {
		t.Fatalf("status %d, handler ran: %v", w.Code, ran)
	}
}

// TestRoutePolicyUsesTemplate checks the engine receives gin's template
// (c.FullPath) and enforces a code-level policy registered in ":" form.
func TestRoutePolicyUsesTemplate(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	var routes []string
	var mu sync.Mutex
	sink := guard.SinkFunc(func(_ context.Context, ev guard.Event) { mu.Lock(); routes = append(routes, ev.Route); mu.Unlock() })
	e := newEngine(t, nil, guard.WithSink(sink),
		guard.WithRoutePolicy("/users/{id}/keys", policy.New(policy.APIKeyAuth("X-Key", nil, "s3cret")), "GET"))
	r := gin.New()
	r.Use(ginguard.New(e))
	r.GET("/users/:id/keys", func(c *gin.Context) { c.String(200, c.Param("id")) })
	if err := ginguard.Verify(r, e); err != nil {
		t.Fatal(err)
	}
	if w := get(r, "GET", "/users/42/keys", "198.51.100.1"); w.Code != 401 {
		t.Fatalf("policy not enforced: %d", w.Code)
	}
	req := httptest.NewRequest("GET", "/users/42/keys", nil)
	req.RemoteAddr = "198.51.100.1:1"
	req.Header.Set("X-Key", "s3cret")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "42" {
		t.Fatalf("got %d %q", w.Code, w.Body.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(routes) != 1 || routes[0] != "/users/{id}/keys" { // events write templates one way on every adapter
		t.Fatalf("events carried routes %q, want the gin template in {param} form", routes)
	}
}

// TestVerifyRejectsUnattachedPolicy checks misuse is a start-up error.
func TestVerifyRejectsUnattachedPolicy(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	tests := []struct {
		name, pattern string
		methods       []string
		wantErr       bool
	}{
		{"same template other syntax", "/users/{id}", nil, false},
		{"exact path under a template", "/users/7", []string{"GET"}, false},
		{"typo", "/user/{id}", nil, true},
		{"method not served", "/users/{id}", []string{"DELETE"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, nil, guard.WithRoutePolicy(tt.pattern, policy.New(policy.RateLimit(1, 60e9)), tt.methods...))
			r := gin.New()
			r.Use(ginguard.New(e))
			r.GET("/users/:id", func(c *gin.Context) {})
			err := ginguard.Verify(r, e)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Verify = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && (!errors.Is(err, guard.ErrUnattachedPolicy) || !strings.Contains(err.Error(), tt.pattern)) {
				t.Fatalf("error %q does not name the policy", err)
			}
		})
	}
}

// TestHandlerReadsWholeBody checks the handler reads the exact body after
// the engine buffered a prefix for inspection.
func TestHandlerReadsWholeBody(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := newEngine(t, func(c *guard.Config) { c.EnablePenetrationDetection = true; c.DetectionMaxRequestBytes = 1024 })
	r := gin.New()
	r.Use(ginguard.New(e))
	r.POST("/", func(c *gin.Context) {
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			c.String(500, err.Error())
			return
		}
		c.Data(200, "application/octet-stream", b)
	})
	body := strings.Repeat("abcdefgh", 1000)
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.RemoteAddr = "198.51.100.1:1"
	req.Header.Set("Content-Type", "text/plain")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != body {
		t.Fatalf("got %d, %d bytes, want %d", w.Code, w.Body.Len(), len(body))
	}
}

func newReq(method, target, remote string, hdr map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = remote + ":1234"
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
}

func serveReq(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

package guard

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guardgo/guard/core/detect"
	"github.com/guardgo/guard/core/store"
)

func TestCustomPatternsPersistAcrossEngines(t *testing.T) {
	st := store.NewMemory(store.MemoryOptions{})
	defer st.Close()
	a, _ := newTestEngine(t, nil, WithStore(st), ownDetector(t))
	ctx := context.Background()
	p := detect.Pattern{ID: "acme-secret-probe", Category: "recon", Regex: `acme-internal-token`, Weight: 1}
	if err := a.AddPattern(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.AddPattern(ctx, detect.Pattern{ID: "bad", Category: "sqli", Regex: "(unclosed"}); err == nil {
		t.Fatal("bad regex accepted")
	}
	if w := serve(a, req{target: "/?q=acme-internal-token"}); w.Code != 403 {
		t.Fatalf("custom pattern not applied: %d", w.Code)
	}
	// A second engine over the same store loads it at start.
	b, _ := newTestEngine(t, nil, WithStore(st), ownDetector(t))
	if w := serve(b, req{target: "/?q=acme-internal-token", remote: "198.51.100.99:1"}); w.Code != 403 {
		t.Fatalf("persisted pattern not loaded: %d", w.Code)
	}
	if had, err := b.RemovePattern(ctx, p.ID); err != nil || !had {
		t.Fatalf("remove: %v %v", had, err)
	}
	c, _ := newTestEngine(t, nil, WithStore(st), ownDetector(t))
	if w := serve(c, req{target: "/?q=acme-internal-token", remote: "198.51.100.98:1"}); w.Code != 200 {
		t.Fatalf("removed pattern still loaded: %d", w.Code)
	}
}

type downStore struct{ store.Store }

func (downStore) Hit(context.Context, store.HitRequest, time.Time) (store.HitResult, error) {
	return store.HitResult{}, errors.Join(store.ErrUnavailable)
}

func TestFailClosedStoreGives503(t *testing.T) {
	mem := store.NewMemory(store.MemoryOptions{})
	defer mem.Close()
	e, _ := newTestEngine(t, nil, WithStore(downStore{mem}))
	if w := serve(e, req{target: "/"}); w.Code != 503 {
		t.Fatalf("fail-closed store: %d", w.Code)
	}
}

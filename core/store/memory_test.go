package store_test

import (
	"testing"

	"github.com/guardgo/guard/core/store"
	"github.com/guardgo/guard/core/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return store.NewMemory(store.MemoryOptions{})
	})
}

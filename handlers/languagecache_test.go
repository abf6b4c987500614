package handlers

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLocaleCacheIsBoundedAndExpires: the cache of Slack locales forgets
// an entry after its time, never holds more than localeMax entries however
// many people write, and is safe for concurrent use.
func TestLocaleCacheIsBoundedAndExpires(t *testing.T) {
	var c localeCache
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	c.put("u:U1", "zh-CN", now, localeTTL)
	if v, ok := c.get("u:U1", now.Add(localeTTL-time.Second)); !ok || v != "zh-CN" {
		t.Fatalf("within the hour: %q, %v", v, ok)
	}
	if _, ok := c.get("u:U1", now.Add(localeTTL)); ok {
		t.Fatal("an entry outlived its hour")
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range localeMax / 2 {
				key := fmt.Sprintf("u:U%d_%d", g, i)
				c.put(key, "en-US", now, localeTTL)
				c.get(key, now)
			}
		})
	}
	wg.Wait()
	c.mu.Lock()
	n := len(c.m)
	c.mu.Unlock()
	if n > localeMax {
		t.Fatalf("%d entries kept, more than %d", n, localeMax)
	}
	if n < localeMax/2 {
		t.Fatalf("only %d entries kept: the cache forgets too eagerly", n)
	}
}

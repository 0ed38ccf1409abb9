package detect

// An Aho-Corasick automaton over ASCII-case-folded bytes, compiled into a dense DFA.
//
// Why not a library: the Go Aho-Corasick libraries we looked at (including the one
// Coraza uses, petar-dambovaliev/aho-corasick) allocate an iterator per scan and a
// *Match per hit. The prefilter runs on every value of every request, and the engine's
// budget for a clean GET is a handful of allocations for the whole pipeline, so the
// scan here allocates nothing: one table lookup per input byte, hits reported to a
// callback.

type acMatcher struct {
	class    [256]uint8 // byte → equivalence class (ASCII letters folded)
	nclass   int
	trans    []uint32 // state*nclass + class → next state; high bit set when the state has output
	outStart []int32  // per state: range into outs
	outs     []int32  // literal ids
	// inWordSkip marks literals whose occurrences count only as whole words (see
	// wordBounded) and that nothing else looks at: scan drops their other
	// occurrences itself, without a call ("in" inside "morning"). lens are the
	// literal lengths it needs for that.
	inWordSkip []bool
	lens       []int32
	maxLen     int // longest literal
}

// acHit is a literal occurrence held back by scan2.
type acHit struct {
	lit int32
	end int32
}

const acOutBit = 1 << 31

// newACMatcher builds the automaton for lits (already lower-case).
func newACMatcher(lits []string) *acMatcher {
	m := &acMatcher{}
	// Byte classes: every distinct (folded) byte used by a literal gets its own class,
	// everything else shares class 0.
	var used [256]bool
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			used[foldByte(l[i])] = true
		}
	}
	n := 1
	var cls [256]uint8
	for c := 0; c < 256; c++ {
		if used[c] {
			cls[c] = uint8(n)
			n++
		}
	}
	for c := 0; c < 256; c++ {
		m.class[c] = cls[foldByte(byte(c))]
	}
	m.nclass = n

	// Trie.
	type node struct {
		next map[uint8]int32
		fail int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for id, l := range lits {
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := m.class[l[i]]
			nx, ok := nodes[s].next[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nodes[s].next[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Failure links (BFS) and the dense transition table.
	trans := make([]uint32, len(nodes)*n)
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < n; c++ {
		if nx, ok := nodes[0].next[uint8(c)]; ok {
			nodes[nx].fail = 0
			queue = append(queue, nx)
			trans[c] = uint32(nx)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := nodes[s].fail
		nodes[s].out = append(nodes[s].out, nodes[f].out...)
		for c := 0; c < n; c++ {
			if nx, ok := nodes[s].next[uint8(c)]; ok {
				nodes[nx].fail = int32(trans[int(f)*n+c] &^ acOutBit)
				queue = append(queue, nx)
				trans[int(s)*n+c] = uint32(nx)
			} else {
				trans[int(s)*n+c] = trans[int(f)*n+c] &^ acOutBit
			}
		}
	}
	// Renumber the states breadth-first: the shallow states, where the automaton spends
	// nearly all its time on ordinary text, then sit together in the table (a few
	// cache lines instead of rows scattered over megabytes).
	order := append([]int32{0}, queue...) // new id → old id
	newID := make([]uint32, len(nodes))   // old id → new id
	for nid, old := range order {
		newID[old] = uint32(nid)
	}
	m.outStart = make([]int32, len(nodes)+1)
	for nid, old := range order {
		m.outStart[nid] = int32(len(m.outs))
		m.outs = append(m.outs, nodes[old].out...)
	}
	m.outStart[len(nodes)] = int32(len(m.outs))
	for _, l := range lits {
		m.maxLen = max(m.maxLen, len(l))
	}
	// Store targets pre-multiplied by the class count so the scan loop is one add and
	// one load per byte.
	m.trans = make([]uint32, len(trans))
	for nid, old := range order {
		for c := 0; c < n; c++ {
			t := trans[int(old)*n+c]
			v := newID[t] * uint32(n)
			if len(nodes[t].out) > 0 {
				v |= acOutBit
			}
			m.trans[nid*n+c] = v
		}
	}
	return m
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// scan runs the automaton over s and calls hit(literalID, end) for every occurrence
// of every literal (overlapping), end being the index just past the occurrence.
func (m *acMatcher) scan(s string, hit func(lit int32, end int)) {
	if m == nil || len(m.outs) == 0 {
		return
	}
	n := uint32(m.nclass)
	trans := m.trans
	class := &m.class
	st := uint32(0) // state index × n
	for i := 0; i < len(s); i++ {
		st = trans[st+uint32(class[s[i]])]
		if st&acOutBit != 0 {
			st &^= acOutBit
			q := st / n
			for _, id := range m.outs[m.outStart[q]:m.outStart[q+1]] {
				if m.inWordSkip != nil && m.inWordSkip[id] && !wordBounded(s, i+1-int(m.lens[id]), i+1) {
					continue
				}
				hit(id, i+1)
			}
		}
	}
}

// scan2 is scan for long inputs, run as two interleaved automata: one over the first
// half, one over the second half starting maxLen-1 bytes early (so that it sees every
// occurrence ending in its half). A single automaton waits on each table load before
// the next; two independent ones overlap their loads, nearly doubling the rate on
// long text. The second half's hits are held in *buf and reported after the first
// half's, so hits still arrive in order of their end.
func (m *acMatcher) scan2(s string, hit func(lit int32, end int), buf *[]acHit) {
	n := len(s)
	if m == nil || len(m.outs) == 0 || n < 1024 || n < 8*m.maxLen {
		m.scan(s, hit)
		return
	}
	nc := uint32(m.nclass)
	trans := m.trans
	class := &m.class
	mid := n / 2
	b0 := mid - (m.maxLen - 1)
	held := (*buf)[:0]
	report := func(st uint32, end int, hold bool) {
		q := st / nc
		for _, id := range m.outs[m.outStart[q]:m.outStart[q+1]] {
			if m.inWordSkip != nil && m.inWordSkip[id] && !wordBounded(s, end-int(m.lens[id]), end) {
				continue
			}
			if hold {
				if end > mid {
					held = append(held, acHit{id, int32(end)})
				}
				continue
			}
			hit(id, end)
		}
	}
	stA, stB := uint32(0), uint32(0)
	for i := 0; i < mid; i++ {
		stA = trans[stA+uint32(class[s[i]])]
		stB = trans[stB+uint32(class[s[b0+i]])]
		if (stA|stB)&acOutBit != 0 {
			if stA&acOutBit != 0 {
				stA &^= acOutBit
				report(stA, i+1, false)
			}
			if stB&acOutBit != 0 {
				stB &^= acOutBit
				report(stB, b0+i+1, true)
			}
		}
	}
	for j := b0 + mid; j < n; j++ {
		stB = trans[stB+uint32(class[s[j]])]
		if stB&acOutBit != 0 {
			stB &^= acOutBit
			report(stB, j+1, true)
		}
	}
	for _, h := range held {
		hit(h.lit, int(h.end))
	}
	*buf = held[:0]
}

// contains reports whether s holds an occurrence of any literal.
func (m *acMatcher) contains(s string) bool {
	if len(m.outs) == 0 {
		return false
	}
	trans := m.trans
	class := &m.class
	st := uint32(0)
	for i := 0; i < len(s); i++ {
		st = trans[st+uint32(class[s[i]])]
		if st&acOutBit != 0 {
			return true
		}
	}
	return false
}

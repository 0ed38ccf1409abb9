package maxmind

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// tree walks the database's binary search tree directly over the bytes,
// starting from precomputed jump tables that resolve the first 16 bits of an
// address in one array read. It answers the same data offsets as
// maxminddb.Reader.Lookup (the property test compares them) in roughly half
// the steps, which matters because every step is a dependent memory read.
//
// Format (MaxMind DB spec 2.0): node_count nodes of two records of
// record_size bits each; a record value below node_count is the next node,
// equal to node_count means "no data", above it points into the data section
// at value - node_count - 16.
type tree struct {
	buf        []byte
	nodeCount  uint32
	recordSize uint32 // 24, 28 or 32
	nodeBytes  uint32
	// v4Jump[a>>16] is the record value reached from the IPv4 start node
	// after the first 16 bits of IPv4 address a (or earlier, when that value
	// is not a node). Nil for an IPv6 database without an IPv4 subtree.
	v4Jump []uint32
	// v6Jump is the same from the root for the first 16 bits of an IPv6
	// address. Nil for an IPv4-only database.
	v6Jump []uint32
}

const jumpBits = 16

var errBadTree = errors.New("search tree is invalid")

func newTree(buf []byte, nodeCount, recordSize, ipVersion uint) (*tree, error) {
	if recordSize != 24 && recordSize != 28 && recordSize != 32 {
		return nil, errBadTree
	}
	if nodeCount == 0 || nodeCount >= 1<<32 || uint64(nodeCount)*uint64(recordSize)/4 > uint64(len(buf)) {
		return nil, errBadTree
	}
	t := &tree{buf: buf, nodeCount: uint32(nodeCount), recordSize: uint32(recordSize), nodeBytes: uint32(recordSize / 4)}
	v4Start := uint32(0)
	if ipVersion == 6 {
		t.v6Jump = t.jumpTable(0)
		// IPv4 addresses live under ::/96 in an IPv6 database.
		for i := 0; i < 96 && v4Start < t.nodeCount; i++ {
			v4Start = t.child(v4Start, 0)
		}
	}
	t.v4Jump = t.jumpTable(v4Start)
	return t, nil
}

// jumpTable walks the first jumpBits bits of every prefix from start. It
// descends the tree once, depth first, and fills a whole range of the table
// when a branch ends early, so small trees cost little.
func (t *tree) jumpTable(start uint32) []uint32 {
	table := make([]uint32, 1<<jumpBits)
	var fill func(v uint32, depth, prefix int)
	fill = func(v uint32, depth, prefix int) {
		if v >= t.nodeCount || depth == jumpBits {
			lo := prefix << (jumpBits - depth)
			hi := (prefix + 1) << (jumpBits - depth)
			for i := lo; i < hi; i++ {
				table[i] = v
			}
			return
		}
		fill(t.child(v, 0), depth+1, prefix<<1)
		fill(t.child(v, 1), depth+1, prefix<<1|1)
	}
	fill(start, 0, 0)
	return table
}

// child returns the left (bit 0) or right (bit 1) record of node n.
func (t *tree) child(n, bit uint32) uint32 {
	b := t.buf[uint(n)*uint(t.nodeBytes):]
	switch t.recordSize {
	case 24:
		o := bit * 3
		return uint32(b[o])<<16 | uint32(b[o+1])<<8 | uint32(b[o+2])
	case 28:
		if bit == 0 {
			return uint32(b[3]&0xF0)<<20 | uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
		}
		return uint32(b[3]&0x0F)<<24 | uint32(b[4])<<16 | uint32(b[5])<<8 | uint32(b[6])
	default:
		return binary.BigEndian.Uint32(b[bit*4:])
	}
}

// walk follows up to n bits of x, most significant first, from record value
// v, stopping early at a value that is not a node. One loop per record size
// keeps the per-bit step inlined.
func (t *tree) walk(v uint32, x uint64, n int) uint32 {
	buf, nc := t.buf, t.nodeCount
	switch t.recordSize {
	case 24:
		for ; n > 0 && v < nc; n-- {
			o := uint(v)*6 + uint(x>>63)*3
			b := buf[o : o+3]
			v = uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
			x <<= 1
		}
	case 28:
		for ; n > 0 && v < nc; n-- {
			b := buf[uint(v)*7:]
			b = b[:7]
			if x>>63 == 0 {
				v = uint32(b[3]&0xF0)<<20 | uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
			} else {
				v = uint32(b[3]&0x0F)<<24 | uint32(b[4])<<16 | uint32(b[5])<<8 | uint32(b[6])
			}
			x <<= 1
		}
	default:
		for ; n > 0 && v < nc; n-- {
			o := uint(v)*8 + uint(x>>63)*4
			v = binary.BigEndian.Uint32(buf[o : o+4])
			x <<= 1
		}
	}
	return v
}

// lookup returns the data-section offset of ip's record, or false if the
// address has no data. ip must be unmapped and zone-free.
func (t *tree) lookup(ip netip.Addr) (uintptr, bool) {
	var v uint32
	if ip.Is4() {
		a := ip.As4()
		x := binary.BigEndian.Uint32(a[:])
		v = t.walk(t.v4Jump[x>>(32-jumpBits)], uint64(x)<<(32+jumpBits), 32-jumpBits)
	} else {
		if t.v6Jump == nil {
			return 0, false
		}
		a := ip.As16()
		hi := binary.BigEndian.Uint64(a[:8])
		v = t.walk(t.v6Jump[hi>>(64-jumpBits)], hi<<jumpBits, 64-jumpBits)
		v = t.walk(v, binary.BigEndian.Uint64(a[8:]), 64)
	}
	if v <= t.nodeCount || v-t.nodeCount < 16 {
		// No data; or, in an invalid database, the bits ran out or the
		// pointer lands inside the separator.
		return 0, false
	}
	return uintptr(v - t.nodeCount - 16), true
}

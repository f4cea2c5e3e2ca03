package tracefs

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
)

// ringLayout is how the kernel lays out a ring-buffer page, read from the
// instance's events/header_page and events/header_event, as trace-cmd's
// kbuffer does: the page header (a timestamp, a commit word holding the
// data size and the missed-events flags), then event headers of type_len
// and time_delta bits with an optional 32-bit array word.
//
// Pages and words are in host byte order; the decoder assumes a
// little-endian host (x86_64, arm64), where type_len is the low bits.
type ringLayout struct {
	ts, commit, data fmtField // from header_page
	// typeLenBits and deltaBits split an event header's first word.
	typeLenBits, deltaBits uint
	// padding, extend and stamp are the type_len values of padding, time
	// extend and absolute time stamp entries; maxData is the largest
	// type_len of a data entry (its length in 4-byte words).
	padding, extend, stamp, maxData uint32
}

// Flags the kernel sets in a page's commit word when events were lost
// before the page, and when the count of them follows the data
// (ring_buffer.c RB_MISSED_EVENTS, RB_MISSED_STORED). The low 27 bits
// hold the size of the data (kbuffer's COMMIT_MASK).
const (
	missedEvents = 1 << 31
	missedStored = 1 << 30
	commitMask   = 1<<27 - 1
)

var (
	headerBits = regexp.MustCompile(`(?m)^\s*(type_len|time_delta)\s*:\s*(\d+)\s*bits`)
	headerType = regexp.MustCompile(`(?m)^\s*(padding|time_extend|time_stamp)\s*:\s*type\s*==\s*(\d+)|data max type_len\s*==\s*(\d+)`)
)

// parseRingLayout reads header_page and header_event.
func parseRingLayout(headerPage, headerEvent string) (*ringLayout, error) {
	fields, err := parseFields(headerPage)
	if err != nil {
		return nil, fmt.Errorf("header_page: %w", err)
	}
	l := &ringLayout{}
	for _, want := range []struct {
		name string
		f    *fmtField
	}{{"timestamp", &l.ts}, {"commit", &l.commit}, {"data", &l.data}} {
		found := false
		for _, f := range fields {
			if f.Name == want.name {
				*want.f, found = f, true
			}
		}
		if !found {
			return nil, fmt.Errorf("header_page: no field %s", want.name)
		}
	}
	if l.ts.Size != 8 || (l.commit.Size != 8 && l.commit.Size != 4) {
		return nil, fmt.Errorf("header_page: timestamp of %d bytes, commit of %d: not a layout this reader knows", l.ts.Size, l.commit.Size)
	}
	for _, m := range headerBits.FindAllStringSubmatch(headerEvent, -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "type_len" {
			l.typeLenBits = uint(n)
		} else {
			l.deltaBits = uint(n)
		}
	}
	for _, m := range headerType.FindAllStringSubmatch(headerEvent, -1) {
		if m[3] != "" {
			n, _ := strconv.Atoi(m[3])
			l.maxData = uint32(n)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		switch m[1] {
		case "padding":
			l.padding = uint32(n)
		case "time_extend":
			l.extend = uint32(n)
		case "time_stamp":
			l.stamp = uint32(n)
		}
	}
	if l.typeLenBits == 0 || l.typeLenBits+l.deltaBits != 32 || l.padding == 0 || l.extend == 0 || l.stamp == 0 || l.maxData == 0 {
		return nil, fmt.Errorf("header_event: not a layout this reader knows:\n%s", headerEvent)
	}
	return l, nil
}

// pageSize is the size of one page as trace_pipe_raw hands it out.
func (l *ringLayout) pageSize() int { return l.data.Offset + l.data.Size }

// pageInfo is what a page header says besides its events.
type pageInfo struct {
	// Missed says events were lost before this page; Lost is how many,
	// when the kernel had room to store the count (else 0).
	Missed bool
	Lost   uint64
}

// decodePage calls fn for each data record of page with its time stamp
// (the page's time plus the deltas before it) and its bytes; padding and
// time entries only move the clock. The record bytes alias page.
func (l *ringLayout) decodePage(page []byte, fn func(ts uint64, rec []byte)) (pageInfo, error) {
	var info pageInfo
	if len(page) < l.data.Offset {
		return info, fmt.Errorf("page of %d bytes, shorter than its header", len(page))
	}
	ts := binary.LittleEndian.Uint64(page[l.ts.Offset:])
	var commit uint64
	if l.commit.Size == 8 {
		commit = binary.LittleEndian.Uint64(page[l.commit.Offset:])
	} else {
		commit = uint64(binary.LittleEndian.Uint32(page[l.commit.Offset:]))
	}
	size := int(commit & commitMask)
	data := page[l.data.Offset:]
	if size > len(data) {
		return info, fmt.Errorf("page commit %d past its %d bytes of data", size, len(data))
	}
	if commit&missedEvents != 0 {
		info.Missed = true
		if commit&missedStored != 0 && size+8 <= len(data) {
			info.Lost = binary.LittleEndian.Uint64(data[size:])
		}
	}
	data = data[:size]
	typeMask := uint32(1)<<l.typeLenBits - 1
	for off := 0; off+4 <= len(data); {
		h := binary.LittleEndian.Uint32(data[off:])
		typeLen, delta := h&typeMask, uint64(h>>l.typeLenBits)
		var array uint32
		if off+8 <= len(data) {
			array = binary.LittleEndian.Uint32(data[off+4:])
		}
		switch {
		case typeLen == l.padding:
			if delta == 0 { // a null event: nothing follows on this page
				return info, nil
			}
			off += 4 + int(array)
		case typeLen == l.extend:
			ts += uint64(array)<<l.deltaBits + delta
			off += 8
		case typeLen == l.stamp:
			// An absolute stamp keeps the low 59 bits; the top ones come
			// from the clock so far (ring_buffer.c rb_fix_abs_ts).
			const msb = uint64(0xf8) << 56
			abs := uint64(array)<<l.deltaBits + delta
			if ts&msb != 0 {
				abs |= ts & msb
				if abs < ts {
					abs += 1 << 59
				}
			}
			ts = abs
			off += 8
		case typeLen == 0:
			if off+8 > len(data) || array < 4 {
				return info, fmt.Errorf("event at %d: length word %d", off, array)
			}
			n := (int(array) - 4 + 3) &^ 3
			if off+8+n > len(data) {
				return info, fmt.Errorf("event at %d: %d bytes past the page's data", off, n)
			}
			ts += delta
			fn(ts, data[off+8:off+8+n])
			off += 8 + n
		case typeLen <= l.maxData:
			n := int(typeLen) * 4
			if off+4+n > len(data) {
				return info, fmt.Errorf("event at %d: %d bytes past the page's data", off, n)
			}
			ts += delta
			fn(ts, data[off+4:off+4+n])
			off += 4 + n
		default:
			return info, fmt.Errorf("event at %d: unknown type_len %d", off, typeLen)
		}
	}
	return info, nil
}

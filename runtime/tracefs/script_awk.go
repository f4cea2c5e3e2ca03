package tracefs

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// scriptAwk returns the awk program with which the -o script reads
// trace_pipe: it prints each event of f's probes in the runner's line
// format (Event.Format), converting values by prefix as the runner does —
// ip_ dotted, bN_ byte-swapped, BN_ swapped hex, strings cut to their
// bound, ksym offsets without ftrace's /0xSIZE, numbers ftrace fetched
// signed printed as the field's render asks — and passes other lines
// (stack traces, lost-event notes) through. It is POSIX awk (Debian's mawk
// runs it) and computes on hex and decimal digit strings, so 64-bit
// values convert exactly. ip6_ and mac_ arrays print as ftrace shows them
// ("{0x20,0x1,...}"); mac_ is converted, ip6_ is not.
func scriptAwk(f *spec.Ftrace) string {
	var b strings.Builder
	b.WriteString("BEGIN {\n")
	fmt.Fprintf(&b, "\tNP = %d\n", len(f.Probes))
	for i, p := range f.Probes {
		i++
		ev, loc := p.Name, ""
		switch p.Kind {
		case spec.AttachTracepoint:
			_, ev, _ = strings.Cut(p.Target, "/")
			loc = strings.Replace(p.Target, "/", ":", 1)
		case spec.AttachKprobe:
			// As parseKprobe: the probe's own place, not the one an IBT
			// kernel moved it to.
			loc = fmt.Sprintf("%s+0x%x", p.Target, p.Offset)
		}
		fmt.Fprintf(&b, "\tNAME[%d] = %q; EV[%d] = %q; TP[%d] = %d; LOC[%d] = %q; NF_[%d] = %d\n",
			i, p.Name, i, ev, i, b2i(p.Kind == spec.AttachTracepoint), i, loc, i, len(p.Fields))
		for j, fl := range p.Fields {
			j++
			fmt.Fprintf(&b, "\tFN[%d,%d] = %q; FT[%d,%d] = %q; FR[%d,%d] = %q; FSZ[%d,%d] = %d; FTP[%d,%d] = %q\n",
				i, j, fl.Name, i, j, fl.Type, i, j, awkRender(fl.Render), i, j, fl.Size, i, j, fl.TPField)
		}
	}
	b.WriteString("}\n")
	b.WriteString(awkBody)
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// awkRender names a render for the awk program.
func awkRender(r spec.Render) string {
	switch r {
	case spec.RenderSigned:
		return "signed"
	case spec.RenderHex:
		return "hex"
	case spec.RenderString:
		return "string"
	case spec.RenderIPv4:
		return "ip"
	case spec.RenderIPv6:
		return "ip6"
	case spec.RenderMAC:
		return "mac"
	case spec.RenderBE:
		return "be"
	case spec.RenderBEHex:
		return "behex"
	case spec.RenderKsym:
		return "ksym"
	case spec.RenderUnsigned:
		return "unsigned"
	}
	return "raw"
}

const awkBody = `function hexdig(c) { return index("0123456789abcdef", tolower(c)) - 1 }
# dec2hex converts a decimal digit string to lowercase hex, exactly.
function dec2hex(s,    out, q, r, i, d, started) {
	out = ""
	while (s != "" && s != "0") {
		q = ""; r = 0; started = 0
		for (i = 1; i <= length(s); i++) {
			d = r * 10 + substr(s, i, 1)
			if (int(d / 16) > 0 || started) { q = q int(d / 16); started = 1 }
			r = d % 16
		}
		out = substr("0123456789abcdef", r + 1, 1) out
		s = q
	}
	return out == "" ? "0" : out
}
# hex2dec converts a hex digit string to decimal, exactly.
function hex2dec(h,    n, a, i, j, c, d) {
	n = 1; a[1] = 0
	for (i = 1; i <= length(h); i++) {
		c = hexdig(substr(h, i, 1))
		for (j = 1; j <= n; j++) { d = a[j] * 16 + c; a[j] = d % 10; c = int(d / 10) }
		while (c > 0) { n++; a[n] = c % 10; c = int(c / 10) }
	}
	d = ""
	for (j = n; j >= 1; j--) d = d a[j]
	return d
}
# neg returns the two's complement of a hex string of fixed width.
function neg(h,    i, o, c, d) {
	o = ""; c = 1
	for (i = length(h); i >= 1; i--) {
		d = 15 - hexdig(substr(h, i, 1)) + c
		c = d >= 16 ? 1 : 0
		o = substr("0123456789abcdef", d % 16 + 1, 1) o
	}
	return o
}
# tohex turns a value as ftrace printed it (0x.., -N, N) into 2*size hex
# digits: the integer's bytes, most significant first.
function tohex(v, size,    h, m) {
	m = 0
	if (substr(v, 1, 2) == "0x") h = tolower(substr(v, 3))
	else if (substr(v, 1, 1) == "-") { h = dec2hex(substr(v, 2)); m = 1 }
	else h = dec2hex(v)
	while (length(h) < 2 * size) h = "0" h
	h = substr(h, length(h) - 2 * size + 1)
	return m ? neg(h) : h
}
function swap(h,    i, o) { o = ""; for (i = 1; i < length(h); i += 2) o = substr(h, i, 2) o; return o }
function strip0(h) { sub(/^0+/, "", h); return h == "" ? "0" : h }
function isnum(v) { return v ~ /^(0x[0-9a-fA-F]+|-?[0-9]+)$/ }
function render(v, r, size, type, tp,    h, i, o, n, p) {
	if (r == "string") {
		if (tp && v !~ /^".*"$/) v = "\"" v "\""
		if (size > 0 && v ~ /^".*"$/ && length(v) - 2 > size - 1) return substr(v, 1, size) "\""
		return v
	}
	if (r == "ksym") { gsub(/\/0x[0-9a-f]+/, "", v); return v }
	if (r == "mac" && v ~ /^\{.*\}$/) {
		n = split(substr(v, 2, length(v) - 2), p, ","); o = ""
		for (i = 1; i <= n; i++) o = o (i > 1 ? ":" : "") tohex(p[i], 1)
		return o
	}
	if (r == "ip6" || r == "raw" || !isnum(v)) return v
	if (tp && r != "ip" && r != "be" && r != "behex") return v
	if (size == 0) { if (tp || r == "ip" || r == "be" || r == "behex") return v; size = 8 }
	h = tohex(v, size)
	if (r == "ip") { o = ""; for (i = 2 * size - 1; i >= 1; i -= 2) o = o (o == "" ? "" : ".") hex2dec(substr(h, i, 2)); return o }
	if (r == "be") return hex2dec(swap(h))
	if (r == "behex") return "0x" strip0(swap(h))
	if (r == "hex") return "0x" strip0(h)
	if (r == "signed") { if (hexdig(substr(h, 1, 1)) >= 8) return "-" hex2dec(neg(h)); return hex2dec(h) }
	return hex2dec(h)
}
# value cuts the value of " name=" out of s, ending where " next=" starts.
function value(s, name, next_,    k, e, t) {
	k = index(s, " " name "=")
	if (k == 0) return ""
	t = substr(s, k + length(name) + 2)
	if (next_ != "") { e = index(t, " " next_ "="); if (e) t = substr(t, 1, e - 1) }
	else if (substr(t, 1, 1) != "\"") { e = index(t, " "); if (e) t = substr(t, 1, e - 1) }
	return t
}
{
	line = $0; k = 0
	for (i = 1; i <= NP; i++) {
		k = index(line, ": " EV[i] ": ")
		if (k) { rest = substr(line, k + length(EV[i]) + 4); break }
		if (TP[i] && substr(EV[i], 1, 10) == "sys_enter_") {
			k = index(line, ": sys_" substr(EV[i], 11) "(")
			if (k) { rest = substr(line, k + 2); break }
		}
		if (TP[i] && substr(EV[i], 1, 9) == "sys_exit_") {
			k = index(line, ": sys_" substr(EV[i], 10) " -> ")
			if (k) { rest = substr(line, k + 2); break }
		}
	}
	if (!k) { print line; fflush(); next }
	head = substr(line, 1, k - 1)
	n = split(head, hf, " ")
	ts = hf[n]; dot = index(ts, ".")
	sec = substr(ts, 1, dot - 1); usec = substr(ts, dot + 1)
	cp = ""; cpu = 0; tg = 0
	for (j = 1; j <= n; j++) {
		if (substr(hf[j], 1, 1) == "[") { cpu = substr(hf[j], 2, length(hf[j]) - 2) + 0; break }
		if (substr(hf[j], 1, 1) == "(") tg = 1
		if (!tg) cp = cp (cp == "" ? "" : " ") hf[j]
	}
	for (d = length(cp); d > 0 && substr(cp, d, 1) != "-"; d--) ;
	comm = substr(cp, 1, d - 1); pid = substr(cp, d + 1)
	out = ""
	if (TP[i]) {
		loc = LOC[i]; ok = NF_[i] > 0
		for (j = 1; j <= NF_[i] && ok; j++) {
			v = value(" " rest, FTP[i,j], "")
			if (index(" " rest, " " FTP[i,j] "=") == 0) ok = 0
			else out = out " " FN[i,j] "=" render(v, FR[i,j], FSZ[i,j], FT[i,j], 1)
		}
		if (!ok) out = rest == "" ? "" : " " rest
	} else {
		e = index(rest, ")")
		loc = substr(rest, 2, e - 2); gsub(/\/0x[0-9a-f]+/, "", loc)
		if (LOC[i] != "") loc = LOC[i]
		rest = substr(rest, e + 1)
		c = index(rest, " __surftrace_comm=\"")
		if (c) { comm = substr(rest, c + 19); comm = substr(comm, 1, length(comm) - 1); rest = substr(rest, 1, c - 1) }
		for (j = 1; j <= NF_[i]; j++) {
			v = value(rest, FN[i,j], j < NF_[i] ? FN[i,j+1] : "")
			out = out " " FN[i,j] "=" render(v, FR[i,j], FSZ[i,j], FT[i,j], 0)
		}
	}
	printf "%16s-%-7d [%03d] %d.%06d: %s: (%s)%s\n", comm, pid, cpu, sec, usec, NAME[i], loc, out
	fflush()
}
`

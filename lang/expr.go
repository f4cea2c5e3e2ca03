package lang

// IntLit is an integer literal.
type IntLit struct {
	Span
	Value uint64
	Text  string
}

// StrLit is a double-quoted string literal, unescaped.
type StrLit struct {
	Span
	Value string
	// Param marks the text of a positional parameter ($N) put in its
	// place, which, as in bpftrace, takes an offset: $1 + 1.
	Param bool
}

// WordLit is a bare word on the right of an expression-line filter
// comparison (comm==systemd, ip_dst==10.0.1.221, ip6_src==::1): its meaning
// depends on the type and name prefix of the other side, so the compiler
// converts it.
type WordLit struct {
	Span
	Text string
}

// Ident is a bare name: a builtin (pid, comm, retval, args, arg0, ...), or in
// an expression-line filter, a field name, a tracepoint field or common_pid.
type Ident struct {
	Span
	Name string
}

// Var is a scratch variable "$name" or a positional parameter "$1".
type Var struct {
	Span
	Name string // without the '$'
}

// MapRef is "@name" or "@name[k1, k2]"; Name is "" for the bare "@".
type MapRef struct {
	Span
	Name string
	Keys []Expr
}

// ArgRef is "%N" in an expression line: the Nth function argument.
type ArgRef struct {
	Span
	N int
}

// RegRef is a register in an expression line ("%di", "%r12", "%x0").
type RegRef struct {
	Span
	Name string // without the '%'
}

// SymRef is "@symbol" or "@0xADDR" in an expression line: the value stored
// at a kernel global, as kprobe_events' @SYM fetch reads it; Name is empty
// when Addr was given as a number.
type SymRef struct {
	Span
	Name string
	Addr uint64
}

// Unary is "Op X" for Op in "-", "!", "~", "*" (deref), "&".
type Unary struct {
	Span
	Op string
	X  Expr
}

// IncDec is "++X", "--X", "X++" or "X--".
type IncDec struct {
	Span
	Op   string // "++" or "--"
	Post bool
	X    Expr
}

// Binary is "X Op Y": arithmetic, bitwise, comparison, && and ||, and "~"
// (glob match in expression-line filters).
type Binary struct {
	Span
	Op   string
	X, Y Expr
}

// Ternary is "Cond ? Then : Else".
type Ternary struct {
	Span
	Cond, Then, Else Expr
}

// Call is "Name(Args...)": printf, count, hist, ntop, ...
type Call struct {
	Span
	Name string
	Args []Expr
}

// Member is "X->Name" (Arrow) or "X.Name".
type Member struct {
	Span
	X     Expr
	Name  string
	Arrow bool
}

// Index is "X[I]".
type Index struct {
	Span
	X, I Expr
}

// Cast is "(Type)X".
type Cast struct {
	Span
	Type *TypeExpr
	X    Expr
}

// SkbCast is "@(struct T *)lN X": read skb X's packet data as header T, where
// the layer tag says which header skb->data points at when the probe fires
// (2, 3 or 4; 0 when absent, meaning the default layer 3). Layer -1 marks
// the form that does not depend on skb->data: header offsets are taken from
// skb->head plus mac_header, network_header or transport_header.
type SkbCast struct {
	Span
	Type  *TypeExpr
	Layer int
	X     Expr
}

// Tuple is "(a, b, ...)" with two or more elements.
type Tuple struct {
	Span
	Elems []Expr
}

// SizeofExpr is "sizeof(Type)" or "sizeof(X)"; exactly one is set.
type SizeofExpr struct {
	Span
	Type *TypeExpr
	X    Expr
}

// HasField is "has_field(Type, "name")" or "has_field(X, "name")": 1 when
// the struct or union (X's type, or what it points to; for X = args the
// probe's arguments) has member or field Field, else 0, decided when the
// script compiles. Field may be a dotted path, "a.b".
type HasField struct {
	Span
	Type  *TypeExpr
	X     Expr
	Field string
}

// TypeExpr names a C type: "struct sk_buff *", "u32", "unsigned int",
// "char[16]".
type TypeExpr struct {
	Span
	// Name is the base type as written without "struct"/"union"/"enum":
	// "sk_buff", "u32", "unsigned int".
	Name string
	// Tag is "struct", "union", "enum" or "".
	Tag string
	Ptr int // number of '*'
}

func (*IntLit) expr()     {}
func (*StrLit) expr()     {}
func (*WordLit) expr()    {}
func (*Ident) expr()      {}
func (*Var) expr()        {}
func (*MapRef) expr()     {}
func (*ArgRef) expr()     {}
func (*RegRef) expr()     {}
func (*SymRef) expr()     {}
func (*Unary) expr()      {}
func (*IncDec) expr()     {}
func (*Binary) expr()     {}
func (*Ternary) expr()    {}
func (*Call) expr()       {}
func (*Member) expr()     {}
func (*Index) expr()      {}
func (*Cast) expr()       {}
func (*SkbCast) expr()    {}
func (*Tuple) expr()      {}
func (*SizeofExpr) expr() {}
func (*HasField) expr()   {}

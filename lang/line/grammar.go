package line

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The parse tree of one line. These structs are the grammar (see
// testdata/grammar.ebnf); convert.go turns them into the lang AST and
// nothing else ever sees them. Optional pieces the user may forget (the
// symbol's offset, a field's value, a comparison's right side, the whole
// filter) are optional here so that the conversion can say precisely what
// is missing.

// probeLine is "KIND TARGET FIELD* FILTER?".
type probeLine struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Kind   string   `parser:"@(Kind | UKind)"`
	Target *target  `parser:"@@"`
	Fields []*field `parser:"@@*"`
	Filter *filter  `parser:"@@?"`
}

// target is SYMBOL, SYMBOL+OFF or SUBSYS/EVENT (SUBSYS:EVENT), or after
// P and R the whole BINARY:SYMBOL[+OFF] as Path. The lexer keeps it free
// of blanks, so its pieces are contiguous.
type target struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Path   string `parser:"( @UPath"`
	Name   string `parser:"| @Name"`
	Sep    string `parser:"  ( @TargetSep"`
	Rest   string `parser:"    @Name? )? )"`
}

// field is NAME=VALUE.
type field struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"@(Ident | Letter) \"=\""`
	Value  *value `parser:"@@?"`
}

// value is an optional format letter and an operand.
type value struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Format *letter  `parser:"@@?"`
	X      *operand `parser:"@@"`
}

// letter is a lone letter directly followed by punctuation.
type letter struct {
	Pos  lexer.Position
	Text string `parser:"@Letter"`
}

// operand is a primary and its member and index chain.
type operand struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *primary   `parser:"@@"`
	Chain  []*postfix `parser:"@@*"`
}

// postfix is "->m", ".m" or "[i]".
type postfix struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Op     string  `parser:"(  @(\"->\" | \".\")"`
	Name   string  `parser:"   @(Ident | Letter)"`
	Index  *intTok `parser:"| \"[\" @@ \"]\" )"`
}

// intTok is an integer literal.
type intTok struct {
	Pos  lexer.Position
	Text string `parser:"@Int"`
}

// primary is the start of a value.
type primary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Arg    string   `parser:"  @Percent"`
	Dollar string   `parser:"| @Dollar"`
	Sym    string   `parser:"| @At"`
	Skb    *skbCast `parser:"| @@"`
	Cast   *cast    `parser:"| @@"`
	Ident  string   `parser:"| @Ident"`
}

// skbCast is "@(TYPE)TAG PRIMARY"; the tag rides on the closing paren.
type skbCast struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Type   *typeName `parser:"SkbOpen @@"`
	Close  *skbClose `parser:"@@"`
	X      *primary  `parser:"@@"`
}

// skbClose is ")" with an optional layer tag.
type skbClose struct {
	Pos  lexer.Position
	Text string `parser:"@SkbClose"`
}

// cast is "!(TYPE)PRIMARY" or "(TYPE)PRIMARY".
type cast struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Type   *typeName `parser:"CastOpen @@ TypeClose"`
	X      *primary  `parser:"@@"`
}

// typeName is a C type: words, then stars.
type typeName struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Words  []string `parser:"@TypeWord+"`
	Stars  []string `parser:"@Star*"`
}

// filter is "f:" and an expression.
type filter struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *orExpr `parser:"FilterStart @@?"`
}

// orExpr is "A || B || ...".
type orExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *andExpr   `parser:"@@"`
	Rest   []*andExpr `parser:"( \"||\" @@ )*"`
}

// andExpr is "A && B && ...".
type andExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *cmpExpr   `parser:"@@"`
	Rest   []*cmpExpr `parser:"( \"&&\" @@ )*"`
}

// cmpExpr is "A", or "A OP B" with OP one of == != < > <= >= ~ &.
type cmpExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *unaryExpr `parser:"@@"`
	Op     *cmpOp     `parser:"( @@"`
	Y      *word      `parser:"  @@? )?"`
}

// cmpOp is a comparison operator.
type cmpOp struct {
	Pos  lexer.Position
	Text string `parser:"@Cmp"`
}

// word is the right side of a comparison: a string or a bare word.
type word struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Str    string `parser:"  @String"`
	Word   string `parser:"| @Word"`
}

// unaryExpr is "!X" or an atom.
type unaryExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Not    *unaryExpr `parser:"  \"!\" @@"`
	X      *atom      `parser:"| @@"`
}

// atom is a filter operand on the left of a comparison.
type atom struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Paren  *orExpr   `parser:"  \"(\" @@ \")\""`
	Name   string    `parser:"| @FilterName"`
	Call   *callArgs `parser:"  @@?"`
	Dollar string    `parser:"| @Dollar"`
	Int    string    `parser:"| @Int"`
	Str    string    `parser:"| @String"`
}

// callArgs are the arguments of a filter function: pcap("tcp port 80", skbaddr).
type callArgs struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Str    string   `parser:"\"(\" @String"`
	Names  []string `parser:"( \",\" @FilterName )* \")\""`
}

// parser parses one line (see parseLine). It holds no state between
// parses. It is built on first use (~1 ms), which a script without
// expression lines never makes.
var parser = sync.OnceValue(func() *participle.Parser[probeLine] {
	return participle.MustBuild[probeLine](participle.Lexer(lineLexer))
})

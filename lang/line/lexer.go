package line

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is modal because the pieces of a line speak different
// languages: a symbol may hold dots and wildcards, a value holds C-like
// member chains, a cast holds C type words, and the right side of a filter
// comparison is a bare word (10.0.1.221, ::1, ssh*) that would be nonsense
// anywhere else.
//
// Every state ends in a one-character Bad rule, so lexing never fails and
// every mistake reaches the parser, which knows what it wanted instead.
//
// Whitespace is elided (WS, Gap), but it still ends a token: the lexer
// never lets a token span a blank, which is what keeps NAME=VALUE pairs
// apart.
var lineLexer = lexer.MustStateful(lexer.Rules{
	// Root is the start of a line: the probe letter.
	"Root": {
		{Name: "WS", Pattern: `[ \t\r]+`},
		// The kind takes the blanks after it along, so that the next
		// blank seen in Target is the one that ends the target.
		// P and R (user-space probes) take a path: BINARY:SYMBOL[+OFF].
		{Name: "UKind", Pattern: `[PR][ \t\r]+`, Action: lexer.Push("UTarget")},
		{Name: "Kind", Pattern: `[A-Za-z_][A-Za-z0-9_]*[ \t\r]*`, Action: lexer.Push("Target")},
		{Name: "Bad", Pattern: `[^ \t\r]`},
	},
	// Target is SYMBOL[+OFF] or SUBSYS/EVENT; the first blank ends it.
	"Target": {
		{Name: "Gap", Pattern: `[ \t\r]+`, Action: lexer.Push("Fields")},
		{Name: "Name", Pattern: `[A-Za-z0-9_.*?]+`},
		{Name: "TargetSep", Pattern: `[+/:]`},
		{Name: "Bad", Pattern: `[^ \t\r]`},
	},
	// UTarget is a user-space target, BINARY:SYMBOL[+OFF] where BINARY
	// is a path or a library name; the first blank ends it.
	"UTarget": {
		{Name: "Gap", Pattern: `[ \t\r]+`, Action: lexer.Push("Fields")},
		{Name: "UPath", Pattern: `[^ \t\r]+`},
	},
	// Fields is the NAME=VALUE list.
	"Fields": {
		{Name: "WS", Pattern: `[ \t\r]+`},
		{Name: "FilterStart", Pattern: `f:`, Action: lexer.Push("Filter")},
		// A lone letter before a blank or the end of the line is a name
		// (it takes the blanks along); before anything else it is a
		// Letter, which the grammar may read as a format letter (S%0).
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]+|[A-Za-z_](?:[ \t\r]+|$)`},
		{Name: "Letter", Pattern: `[A-Za-z_]`},
		{Name: "Int", Pattern: `0[xX][0-9A-Fa-f]+|[0-9]+`},
		{Name: "Percent", Pattern: `%[A-Za-z0-9_]*`},
		{Name: "Dollar", Pattern: `\$[A-Za-z0-9_]*`},
		{Name: "SkbOpen", Pattern: `@\(`, Action: lexer.Push("SkbType")},
		{Name: "At", Pattern: `@[A-Za-z0-9_]*`},
		{Name: "CastOpen", Pattern: `!?\(`, Action: lexer.Push("Type")},
		{Name: "Punct", Pattern: `->|[.=\[\]]`},
		{Name: "Bad", Pattern: `[^ \t\r]`},
	},
	// Type is the C type inside !( ) or ( ).
	"Type": {
		{Name: "WS", Pattern: `[ \t\r]+`},
		{Name: "TypeWord", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Star", Pattern: `\*`},
		{Name: "TypeClose", Pattern: `\)`, Action: lexer.Pop()},
		{Name: "Bad", Pattern: `[^ \t\r]`},
	},
	// SkbType is the header type inside @( ); its ")" carries the layer
	// tag (l2, l3, l4 or h) when a non-word character follows the tag, so
	// that @(struct iphdr *)head reads the field head, not tag h.
	"SkbType": {
		{Name: "SkbClose", Pattern: `\)(?:(?:l[0-9]*|h)\b)?`, Action: lexer.Pop()},
		lexer.Include("Type"),
	},
	// Filter is everything after f:, to the end of the line.
	"Filter": {
		{Name: "WS", Pattern: `[ \t\r]+`},
		{Name: "Logic", Pattern: `&&|\|\|`},
		{Name: "Cmp", Pattern: `==|!=|<=|>=|[<>~&]`, Action: lexer.Push("Operand")},
		{Name: "FilterName", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Int", Pattern: `0[xX][0-9A-Fa-f]+|[0-9]+`},
		{Name: "String", Pattern: `"(?:[^"\\]|\\.)*"`},
		{Name: "Dollar", Pattern: `\$[A-Za-z0-9_]*`},
		{Name: "FilterPunct", Pattern: `[!(),]`},
		{Name: "Bad", Pattern: `[^ \t\r]`},
	},
	// Operand is the right side of a filter comparison: a string or a
	// bare word; anything else goes back to Filter.
	"Operand": {
		{Name: "WS", Pattern: `[ \t\r]+`},
		{Name: "String", Pattern: `"(?:[^"\\]|\\.)*"`, Action: lexer.Pop()},
		{Name: "Word", Pattern: `[^ \t\r()&|"=<>!~]+`, Action: lexer.Pop()},
		lexer.Return(),
	},
})

// The token types whose trailing blanks trimLexer splits off.
var (
	kindType  = lineLexer.Symbols()["Kind"]
	ukindType = lineLexer.Symbols()["UKind"]
	identType = lineLexer.Symbols()["Ident"]
	wsType    = lineLexer.Symbols()["WS"]
)

// trimLexer hands on the tokens of the line lexer, but moves the blanks
// that Kind and a lone-letter Ident take along (see the rules) into a WS
// token of their own, so that no token, and so no span, ends in blanks.
type trimLexer struct {
	lexer.Lexer
	blanks *lexer.Token // split off the last token, returned next
}

// Next returns the next token.
func (l *trimLexer) Next() (lexer.Token, error) {
	if b := l.blanks; b != nil {
		l.blanks = nil
		return *b, nil
	}
	t, err := l.Lexer.Next()
	if err != nil || (t.Type != kindType && t.Type != ukindType && t.Type != identType) {
		return t, err
	}
	word := strings.TrimRight(t.Value, " \t\r")
	if len(word) == len(t.Value) {
		return t, nil
	}
	b := lexer.Token{Type: wsType, Value: t.Value[len(word):], Pos: t.Pos}
	b.Pos.Advance(word)
	t.Value = word
	l.blanks = &b
	return t, nil
}

// parseLine parses one line into its parse tree; on a syntax error the
// tree is partial.
func parseLine(text string) (*probeLine, error) {
	lex, err := lineLexer.LexString("", text)
	if err != nil {
		return nil, err
	}
	peek, err := lexer.Upgrade(&trimLexer{Lexer: lex}, wsType, lineLexer.Symbols()["Gap"])
	if err != nil {
		return nil, err
	}
	return parser().ParseFromLexer(peek)
}

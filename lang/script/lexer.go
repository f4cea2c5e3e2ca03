package script

import "github.com/alecthomas/participle/v2/lexer"

// The lexer has three states. Root is between probes: probe kinds, commas,
// a macro's name and parameters, and the ":" that pushes Path. Path lexes the rest of an attach point as one
// token (wildcards, "+0x10", "/bin/bash", more colons, a trailing argument
// selector "(struct sk_buff *)") and pops. A "/" or
// "{" in Root pushes Body, which lexes predicates and blocks; "{" pushes
// Body again and "}" pops, so braces balance back to Root.
//
// A predicate's closing slash is told from division the way bpftrace does
// it: a "/" followed by blanks (or comments) and "{" is one PredEnd token,
// which also opens the block; every other "/" is division.
//
// Keywords are their own token type so that they are never identifiers.
// Open is the opener of an unterminated comment, string or character
// literal, and Bad any other character nothing else matches, so that the
// parser (not the lexer) reports them, with the grammar's expectation.
var scriptLexer = lexer.MustStateful(lexer.Rules{
	"Root": {
		{Name: "Comment", Pattern: comment},
		{Name: "Space", Pattern: `\s+`},
		{Name: "Ident", Pattern: ident},
		{Name: "Colon", Pattern: `:`, Action: lexer.Push("Path")},
		{Name: "Comma", Pattern: `,`},
		{Name: "Var", Pattern: varPattern},
		{Name: "Paren", Pattern: `[()]`},
		{Name: "Open", Pattern: open},
		{Name: "Slash", Pattern: `/`, Action: lexer.Push("Body")},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Body")},
		{Name: "Bad", Pattern: bad},
	},
	"Path": {
		{Name: "Path", Pattern: `(?:[-\w.+*?/:\[\]#$@~]|\\.|"(?:\\.|[^"\\\n])*")+(?:\([\w \t*]*\))?`, Action: lexer.Pop()},
	},
	"Body": {
		{Name: "Comment", Pattern: comment},
		{Name: "PredEnd", Pattern: `/(?:\s|//[^\n]*|/\*(?s:.*?)\*/)*\{`},
		{Name: "Space", Pattern: `\s+`},
		{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
		{Name: "Char", Pattern: `'(?:\\.|[^'\\\n])+'`},
		{Name: "Open", Pattern: open},
		{Name: "Int", Pattern: `(?:0[xX][0-9a-fA-F][0-9a-fA-F_]*|[0-9][0-9_]*(?:[eE][0-9]+)?)[uUlL]*`},
		{Name: "Var", Pattern: varPattern},
		{Name: "Map", Pattern: `@(?:` + ident + `)?`},
		{Name: "Keyword", Pattern: `(?:if|else|while|unroll|break|continue|return|sizeof)\b`},
		{Name: "Ident", Pattern: ident},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Body")},
		{Name: "RBrace", Pattern: `\}`, Action: lexer.Pop()},
		{Name: "Op", Pattern: `->|\+\+|--|<<=|>>=|\|\||&&|[-+*/%&|^!=<>]=|<<|>>|[-+*/%&|^!~<>=?:.,;()\[\]]`},
		{Name: "Bad", Pattern: bad},
	},
})

const (
	ident   = `[A-Za-z_][A-Za-z0-9_]*`
	comment = `//[^\n]*|/\*(?s:.*?)\*/`
	open    = `/\*|["']`
	bad     = `(?s:.)`
	// varPattern is $name, $1 or $#.
	varPattern = `\$(?:` + ident + `|[0-9]+|#)`
)

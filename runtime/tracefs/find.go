package tracefs

import (
	"os"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// Find returns the directory where tracefs is mounted, mounting it first
// when it is missing (see tracingdir.Mount); the note saying so goes to
// stderr. Callers that have their own writer for notes call
// tracingdir.Mount and pass the directory as Options.Root.
func Find() (string, error) { return tracingdir.Mount(os.Stderr) }

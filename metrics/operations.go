package metrics

import "sync"

// MaxOperationNames bounds Options.OperationNames.
const MaxOperationNames = 1000

// The operation labels that are not an operation's own name.
const (
	AnonymousOperation = "anonymous" // an operation without a name
	OtherOperation     = "other"     // a name past the ones labelled
)

// maxOperationLabel is the longest operation name labelled: GraphQL
// names have no length limit, and a label is kept for the life of the
// process.
const maxOperationLabel = 100

// operationNames bounds the label of the per-operation histogram. A client
// chooses its operations' names, and every new label value is a series
// kept for the life of the process; so only a known set of names is
// labelled, and every other name is "other". The set is either fixed (the
// allow-list's names: the only operations served anyway) or the first max
// names seen, which a client sending made-up names can use up, but never
// grow past max.
type operationNames struct {
	max   int
	fixed bool // the set is the allow-list's, and takes no new names

	mu    sync.RWMutex
	names map[string]bool
}

func newOperationNames(max int, allowed []string) *operationNames {
	o := &operationNames{max: min(max, MaxOperationNames), names: map[string]bool{}}
	if len(allowed) > 0 {
		o.fixed = true
		for _, name := range allowed {
			if labellable(name) {
				o.names[name] = true
			}
		}
	}
	return o
}

// labellable reports whether name may be a label of its own: not one of
// the labels that stand for several, and not too long.
func labellable(name string) bool {
	return name != "" && name != AnonymousOperation && name != OtherOperation && len(name) <= maxOperationLabel
}

// label is the label of the operation called name.
func (o *operationNames) label(name string) string {
	switch {
	case name == "":
		return AnonymousOperation
	case !labellable(name):
		return OtherOperation
	}
	o.mu.RLock()
	known, full := o.names[name], o.fixed || len(o.names) >= o.max
	o.mu.RUnlock()
	switch {
	case known:
		return name
	case full:
		return OtherOperation
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.names[name] && len(o.names) >= o.max {
		return OtherOperation
	}
	o.names[name] = true
	return name
}

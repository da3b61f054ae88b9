package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
)

// askers loads the students who asked the questions one GraphQL operation
// reads (Question.student) in one query per page, however the questions
// were reached: every question query of the operation notes the student
// ids it read (schema.OnQuestionsLoaded), and the first Question.student
// resolved loads all ids noted so far. An anonymous question the token may
// not reveal reads no student id (auth.QuestionRule), so it notes nothing.
type askers struct {
	mu      sync.Mutex
	pending map[gid.UserID]bool      // noted, not yet loaded
	users   map[gid.UserID]*ent.User // loaded; nil when out of the token's scope
}

// maxAskersPerQuery bounds the ids of one load, well below the bind
// parameters SQLite allows; a page has at most 1000 questions.
const maxAskersPerQuery = 1000

func (a *askers) note(qs []*ent.Question) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, q := range qs {
		if id := q.StudentID; id != (gid.UserID{}) {
			if _, loaded := a.users[id]; !loaded {
				a.pending[id] = true
			}
		}
	}
}

// get returns the user id, loading it with every other id noted so far;
// nil when the token may not see it.
func (a *askers) get(ctx context.Context, client *ent.Client, id gid.UserID) (*ent.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[id]; ok {
		return u, nil
	}
	a.pending[id] = true
	ids := make([]gid.UserID, 0, len(a.pending))
	for id := range a.pending {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxAskersPerQuery)]
		ids = ids[len(chunk):]
		users, err := client.User.Query().Where(user.IDIn(chunk...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			a.users[id] = nil
			delete(a.pending, id)
		}
		for _, u := range users {
			a.users[u.ID] = u
		}
	}
	return a.users[id], nil
}

type askersKey struct{}

// askersFrom returns the operation's askers; outside an operation (a
// resolver called directly), an empty loader that loads each on demand.
func askersFrom(ctx context.Context) *askers {
	if a, ok := ctx.Value(askersKey{}).(*askers); ok {
		return a
	}
	return newAskers()
}

func newAskers() *askers {
	return &askers{pending: map[gid.UserID]bool{}, users: map[gid.UserID]*ent.User{}}
}

// askerLoading is the handler extension that gives each operation its
// askers.
type askerLoading struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = askerLoading{}

func (askerLoading) ExtensionName() string                   { return "AskerLoading" }
func (askerLoading) Validate(graphql.ExecutableSchema) error { return nil }
func (askerLoading) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	a := newAskers()
	return next(schema.OnQuestionsLoaded(context.WithValue(ctx, askersKey{}, a), a.note))
}

package auth

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/predicate"
	"github.com/stift/stift-reports/ent/privacy"
	"github.com/stift/stift-reports/ent/question"
)

// The privacy policies of the schema types. Reads are filtered to the
// principal's scope; a read without a principal is denied; writes are
// denied (the API is read-only) unless made in a SystemContext, which
// bypasses policies altogether.

// ScopedPolicy returns the policy of a type whose reads the query rule
// limits to the principal's scope.
func ScopedPolicy(rule privacy.QueryRule) ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{requirePrincipal(), rule},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// PublicPolicy is the policy of shared catalogue types (disciplines and
// subjects): any authenticated principal reads them.
func PublicPolicy() ent.Policy { return ScopedPolicy(privacy.AlwaysAllowRule()) }

// SystemPolicy is the policy of types only the system reads (API tokens).
func SystemPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

func requirePrincipal() privacy.QueryRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if _, ok := FromContext(ctx); !ok {
			return privacy.Denyf("auth: no principal in context")
		}
		return privacy.Skip
	})
}

// scoped adapts a method of Visible giving the predicate of a type's
// visible rows into a query rule; a nil predicate (all) filters nothing.
func scoped[P ~func(*sql.Selector), Q interface{ Where(...P) Q }](where func(Visible) P) func(context.Context, Q) error {
	return func(ctx context.Context, q Q) error {
		p, _ := FromContext(ctx)
		if pred := where(p.Visible()); pred != nil {
			q.Where(pred)
		}
		return privacy.Skip
	}
}

// SchoolRule limits schools to the scope.
func SchoolRule() privacy.QueryRule {
	return privacy.SchoolQueryRuleFunc(scoped[predicate.School, *ent.SchoolQuery](Visible.School))
}

// GroupRule limits groups to the scope.
func GroupRule() privacy.QueryRule {
	return privacy.GroupQueryRuleFunc(scoped[predicate.Group, *ent.GroupQuery](Visible.Group))
}

// UserRule limits users to the members of the scope's groups.
func UserRule() privacy.QueryRule {
	return privacy.UserQueryRuleFunc(scoped[predicate.User, *ent.UserQuery](Visible.User))
}

// QuestionRule limits questions to those of the scope's groups and, unless
// the principal may reveal anonymous askers, reads them through
// maskAnonymousAskers.
func QuestionRule() privacy.QueryRule {
	return privacy.QuestionQueryRuleFunc(func(ctx context.Context, q *ent.QuestionQuery) error {
		p, _ := FromContext(ctx)
		if pred := p.Visible().Question(); pred != nil {
			q.Where(pred)
		}
		if !p.RevealAnonymous {
			q.Where(maskAnonymousAskers)
		}
		return privacy.Skip
	})
}

// maskAnonymousAskers makes a question query read, instead of the questions
// table, a view of it under the same name whose student_id is NULL where
// the question is anonymous:
//
//	SELECT … FROM (SELECT …, CASE WHEN anonymous THEN NULL ELSE student_id END AS student_id
//	               FROM questions) AS questions
//
// Every column the query names, in what it selects, filters on (where
// studentID), joins on (User.questions, lazy or eager) or counts, then
// reads the masked value, so no field, edge, filter or count of a question
// tells who asked it anonymously. The databases flatten the sub-query, so
// the indexes on the other columns still serve, and an index on the
// masking expression itself (question_masked_student_id, see package db)
// serves filters on the masked column: keep the two expressions alike. A
// query that does not read the questions table itself is refused rather
// than left unmasked.
func maskAnonymousAskers(s *sql.Selector) {
	if s.TableName() != question.Table {
		s.AddError(fmt.Errorf("auth: cannot hide anonymous askers from a query of %q", s.TableName()))
		return
	}
	b := sql.Dialect(s.Dialect())
	t := b.Table(question.Table)
	view := b.Select()
	for _, c := range question.Columns {
		if c != question.FieldStudentID {
			view.AppendSelect(t.C(c))
		}
	}
	masked := fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END", t.C(question.FieldAnonymous), t.C(question.FieldStudentID))
	view.AppendSelectExprAs(sql.Expr(masked), question.FieldStudentID)
	s.From(view.From(t).As(question.Table))
}

// BookingRule limits bookings to those of the scope's groups.
func BookingRule() privacy.QueryRule {
	return privacy.BookingQueryRuleFunc(scoped[predicate.Booking, *ent.BookingQuery](Visible.Booking))
}

// BookingRoomRule limits booking rooms to the scope's schools.
func BookingRoomRule() privacy.QueryRule {
	return privacy.BookingRoomQueryRuleFunc(scoped[predicate.BookingRoom, *ent.BookingRoomQuery](Visible.Room))
}

// AvailabilitySlotRule limits slots to the rooms of the scope's schools
// and, for a group scope, to the teachers of its groups.
func AvailabilitySlotRule() privacy.QueryRule {
	return privacy.AvailabilitySlotQueryRuleFunc(scoped[predicate.AvailabilitySlot, *ent.AvailabilitySlotQuery](Visible.Slot))
}

// NPSAnswerRule limits NPS answers to those of the users in scope.
func NPSAnswerRule() privacy.QueryRule {
	return privacy.NPSAnswerQueryRuleFunc(scoped[predicate.NPSAnswer, *ent.NPSAnswerQuery](Visible.NPSAnswer))
}

package seed

import (
	"slices"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/npsanswer"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
)

// npsWeights are the weights of the scores 0 to 10: most users are
// promoters.
var npsWeights = []int{1, 1, 1, 1, 2, 3, 5, 8, 15, 25, 38}

// answerNPS lets students and teachers answer the two NPS surveys: about
// half of them the platform one, fewer the response-time one; some twice.
func (g *generator) answerNPS() {
	for _, p := range slices.Concat(g.students, g.teachers) {
		responsePercent := 45
		if p.role == user.RoleTEACHER {
			responsePercent = 20
		}
		surveys := []struct {
			kind    npsanswer.Kind
			percent int
		}{{npsanswer.KindPLATFORM, 55}, {npsanswer.KindRESPONSE_TIME, responsePercent}}
		for _, s := range surveys {
			if g.chance(s.percent) {
				g.npsAnswer(p, s.kind)
				if g.chance(25) {
					g.npsAnswer(p, s.kind)
				}
			}
		}
	}
}

// npsAnswer adds one answer of p, at a time p was active in the demo year.
func (g *generator) npsAnswer(p *person, kind npsanswer.Kind) {
	from, to := later(g.from, p.created), p.activeUntil(g.now)
	if to.Sub(from) < 2*day {
		return
	}
	a := &ent.NPSAnswer{
		ID:        gid.NPSAnswerID(g.uuid()),
		UserID:    p.id,
		Kind:      kind,
		Score:     g.pick(npsWeights),
		CreatedAt: g.activityTime(p.groups[0].school, from, to),
	}
	if g.chance(35) {
		switch {
		case a.Score <= 6:
			a.Comment = one(g, npsComments.detractor)
		case a.Score <= 8:
			a.Comment = one(g, npsComments.passive)
		default:
			a.Comment = one(g, npsComments.promoter)
		}
	}
	g.nps = append(g.nps, a)
}

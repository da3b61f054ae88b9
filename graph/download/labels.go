package download

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Language is the language of a spreadsheet's headers and sheet name.
type Language int

const (
	// Portuguese (Brazil), the default: the schools' staff read it.
	Portuguese Language = iota
	English
)

// label is what a spreadsheet calls a field of the schema: in Portuguese
// (pt) and English (en) and, for a field holding objects, the Portuguese
// phrase naming it after a field below it (of: "do aluno", as in "E-mail
// do aluno"). English stacks the nouns instead ("Student email").
type label struct{ pt, en, of string }

// labels names the fields of the schema, by field name; typeLabels names
// those whose name means something else on some type ("Type.field"): a
// question is feminine in Portuguese (Criada em), a stats bucket's count
// counts questions or bookings. graph/download/labels_test.go checks that
// every field of the schema has a label, and every field holding objects
// its "of".
var labels = map[string]label{
	// Ids and names.
	"id":            {"ID", "ID", ""},
	"name":          {"Nome", "Name", ""},
	"firstName":     {"Nome", "First name", ""},
	"lastName":      {"Sobrenome", "Last name", ""},
	"email":         {"E-mail", "Email", ""},
	"externalID":    {"ID externo", "External ID", ""},
	"role":          {"Perfil", "Role", ""},
	"schoolID":      {"ID da escola", "School ID", ""},
	"groupID":       {"ID da turma", "Group ID", ""},
	"studentID":     {"ID do aluno", "Student ID", ""},
	"teacherID":     {"ID do professor", "Teacher ID", ""},
	"disciplineID":  {"ID da disciplina", "Discipline ID", ""},
	"subjectID":     {"ID do assunto", "Subject ID", ""},
	"bookingRoomID": {"ID da sala", "Room ID", ""},
	"cancelledByID": {"ID de quem cancelou", "Cancelled by (ID)", ""},
	"userID":        {"ID do usuário", "User ID", ""},
	"link":          {"Link", "Link", ""},

	// Objects and lists of them.
	"school":            {"Escola", "School", "da escola"},
	"schools":           {"Escolas", "Schools", "das escolas"},
	"group":             {"Turma", "Group", "da turma"},
	"groups":            {"Turmas", "Groups", "das turmas"},
	"studentGroups":     {"Turmas como aluno", "Groups as student", "das turmas como aluno"},
	"teacherGroups":     {"Turmas como professor", "Groups as teacher", "das turmas como professor"},
	"student":           {"Aluno", "Student", "do aluno"},
	"students":          {"Alunos", "Students", "dos alunos"},
	"teacher":           {"Professor", "Teacher", "do professor"},
	"teachers":          {"Professores", "Teachers", "dos professores"},
	"user":              {"Usuário", "User", "do usuário"},
	"users":             {"Usuários", "Users", "dos usuários"},
	"cancelledBy":       {"Cancelado por", "Cancelled by", "de quem cancelou"},
	"discipline":        {"Disciplina", "Discipline", "da disciplina"},
	"disciplines":       {"Disciplinas", "Disciplines", "das disciplinas"},
	"subject":           {"Assunto", "Subject", "do assunto"},
	"subjects":          {"Assuntos", "Subjects", "dos assuntos"},
	"topSubjects":       {"Principais assuntos", "Top subjects", "dos principais assuntos"},
	"bookingRoom":       {"Sala", "Room", "da sala"},
	"bookingRooms":      {"Salas", "Rooms", "das salas"},
	"booking":           {"Agendamento", "Booking", "do agendamento"},
	"bookings":          {"Agendamentos", "Bookings", "dos agendamentos"},
	"teacherBookings":   {"Agendamentos como professor", "Bookings as teacher", "dos agendamentos como professor"},
	"question":          {"Pergunta", "Question", "da pergunta"},
	"questions":         {"Perguntas", "Questions", "das perguntas"},
	"answeredQuestions": {"Perguntas respondidas", "Answered questions", "das perguntas respondidas"},
	"availabilitySlots": {"Horários disponíveis", "Available slots", "dos horários disponíveis"},
	"npsAnswers":        {"Respostas NPS", "NPS answers", "das respostas NPS"},
	"answerRatings":     {"Avaliações das respostas", "Answer ratings", "das avaliações das respostas"},
	"countByStatus":     {"Agendamentos por status", "Bookings by status", "dos agendamentos por status"},
	"questionsByDiscipline": {"Perguntas por disciplina", "Questions by discipline",
		"das perguntas por disciplina"},

	// Times.
	"createdAt":        {"Criado em", "Created at", ""},
	"blockedAt":        {"Bloqueado em", "Blocked at", ""},
	"deletedAt":        {"Excluído em", "Deleted at", ""},
	"cancelledAt":      {"Cancelado em", "Cancelled at", ""},
	"scheduledFor":     {"Agendado para", "Scheduled for", ""},
	"startTime":        {"Início", "Start", ""},
	"endTime":          {"Término", "End", ""},
	"meetingStartedAt": {"Início da chamada", "Meeting started at", ""},
	"meetingEndedAt":   {"Término da chamada", "Meeting ended at", ""},
	"queuedAt":         {"Entrou na fila em", "Queued at", ""},
	"leftQueueAt":      {"Saiu da fila em", "Left the queue at", ""},
	"answeredAt":       {"Respondida em", "Answered at", ""},
	"replyCreatedAt":   {"Réplica criada em", "Reply created at", ""},
	"replyAnsweredAt":  {"Réplica respondida em", "Reply answered at", ""},
	"bucketStart":      {"Início do período", "Period start", ""},
	"from":             {"Início do período", "Period start", ""},
	"to":               {"Fim do período", "Period end", ""},
	"timezone":         {"Fuso horário", "Time zone", ""},
	"weekday":          {"Dia da semana", "Weekday", ""},
	"startMinute":      {"Minuto de início", "Start minute", ""},
	"endMinute":        {"Minuto de término", "End minute", ""},
	"minCancelHours":   {"Antecedência mínima para cancelar (h)", "Minimum notice to cancel (h)", ""},
	"durationMinutes":  {"Duração (min)", "Duration (min)", ""},
	"weeklyMinutes":    {"Minutos semanais", "Weekly minutes", ""},
	"minutesHeld":      {"Minutos realizados", "Minutes held", ""},

	// Questions.
	"anonymous":              {"Anônima", "Anonymous", ""},
	"description":            {"Descrição", "Description", ""},
	"answerDescription":      {"Resposta", "Answer", ""},
	"replyDescription":       {"Réplica", "Reply", ""},
	"replyAnswerDescription": {"Resposta da réplica", "Reply answer", ""},
	"answerRating":           {"Avaliação da resposta", "Answer rating", ""},
	"answerUnderstood":       {"Resposta entendida", "Answer understood", ""},
	"answerComment":          {"Comentário sobre a resposta", "Answer comment", ""},
	"hasSeenAnswer":          {"Viu a resposta", "Has seen the answer", ""},
	"responseMinutes":        {"Tempo de resposta (min)", "Response time (min)", ""},
	"adjustedResponseMinutes": {"Tempo de resposta ajustado (min)", "Adjusted response time (min)",
		""},

	// Bookings.
	"status":                     {"Status", "Status", ""},
	"statusLabel":                {"Status", "Status", ""},
	"label":                      {"Status", "Status", ""},
	"modal":                      {"Modalidade", "Modality", ""},
	"modalLabel":                 {"Modalidade", "Modality", ""},
	"ratingByStudent":            {"Avaliação do aluno", "Rating by the student", ""},
	"ratingByTeacher":            {"Avaliação do professor", "Rating by the teacher", ""},
	"callQualityRatingByStudent": {"Qualidade da chamada (aluno)", "Call quality (student)", ""},
	"callQualityRatingByTeacher": {"Qualidade da chamada (professor)", "Call quality (teacher)", ""},

	// Figures.
	"count":                          {"Quantidade", "Count", ""},
	"answeredCount":                  {"Respondidas", "Answered", ""},
	"totalQuestions":                 {"Total de perguntas", "Total questions", ""},
	"questionsCount":                 {"Perguntas", "Questions", ""},
	"avgResponseMinutes":             {"Tempo médio de resposta (min)", "Average response time (min)", ""},
	"averageResponseMinutes":         {"Tempo médio de resposta (min)", "Average response time (min)", ""},
	"p50ResponseMinutes":             {"Mediana do tempo de resposta (min)", "Median response time (min)", ""},
	"p90ResponseMinutes":             {"Percentil 90 do tempo de resposta (min)", "90th percentile response time (min)", ""},
	"avgAdjustedResponseMinutes":     {"Tempo médio de resposta ajustado (min)", "Average adjusted response time (min)", ""},
	"averageAdjustedResponseMinutes": {"Tempo médio de resposta ajustado (min)", "Average adjusted response time (min)", ""},
	"avgRating":                      {"Avaliação média", "Average rating", ""},
	"averageAnswerRating":            {"Avaliação média das respostas", "Average answer rating", ""},
	"avgRatingByStudent":             {"Avaliação média do aluno", "Average rating by the student", ""},
	"avgRatingByTeacher":             {"Avaliação média do professor", "Average rating by the teacher", ""},
	"understoodShare":                {"Fração de respostas entendidas", "Share of answers understood", ""},
	"attendanceRate":                 {"Taxa de presença", "Attendance rate", ""},
	"noShowRate":                     {"Taxa de faltas", "No-show rate", ""},
	"lateCancelRate":                 {"Taxa de cancelamento fora do prazo", "Late cancellation rate", ""},
	"activeUsersShare":               {"Fração de usuários ativos", "Share of active users", ""},
	"active":                         {"Ativo", "Active", ""},
	"averageNps":                     {"NPS médio", "Average NPS", ""},
	"averageResponseTimeNps":         {"NPS médio do tempo de resposta", "Average response time NPS", ""},
	"kind":                           {"Tipo", "Kind", ""},
	"score":                          {"Nota", "Score", ""},
	"comment":                        {"Comentário", "Comment", ""},

	// Pages of a connection nested in a row.
	"totalCount":      {"Total", "Total count", ""},
	"pageInfo":        {"Paginação", "Page info", "da paginação"},
	"hasNextPage":     {"Há próxima página", "Has next page", ""},
	"hasPreviousPage": {"Há página anterior", "Has previous page", ""},
	"startCursor":     {"Cursor inicial", "Start cursor", ""},
	"endCursor":       {"Cursor final", "End cursor", ""},
	"cursor":          {"Cursor", "Cursor", ""},

	// The token.
	"tokenName":       {"Token", "Token", ""},
	"scope":           {"Escopo", "Scope", ""},
	"scopeIds":        {"IDs do escopo", "Scope IDs", ""},
	"revealAnonymous": {"Revela anônimos", "Reveals anonymous askers", ""},
}

var typeLabels = map[string]label{
	"Question.createdAt":            {"Criada em", "Created at", ""},
	"Question.cancelledAt":          {"Cancelada em", "Cancelled at", ""},
	"Question.description":          {"Pergunta", "Question", ""},
	"QuestionReportRow.createdAt":   {"Criada em", "Created at", ""},
	"QuestionReportRow.description": {"Pergunta", "Question", ""},
	"QuestionReportRow.status":      {"Código do status", "Status code", ""},
	"BookingReportRow.status":       {"Código do status", "Status code", ""},
	"BookingReportRow.modal":        {"Código da modalidade", "Modality code", ""},
	"QuestionStatsBucket.count":     {"Perguntas", "Questions", ""},
	"BookingStatsBucket.count":      {"Agendamentos", "Bookings", ""},
	"NPSAnswer.createdAt":           {"Respondida em", "Answered at", ""},
	"TeacherUsage.answeredQuestions": {"Perguntas respondidas", "Answered questions",
		""},

	// The top-level fields, which name the sheet of their download.
	"Query.node":             {"Nó", "Node", ""},
	"Query.nodes":            {"Nós", "Nodes", ""},
	"Query.questionsReport":  {"Perguntas", "Questions", ""},
	"Query.bookingsReport":   {"Agendamentos", "Bookings", ""},
	"Query.bookingsWorkload": {"Carga horária", "Workload", ""},
	"Query.groupsUsage":      {"Uso das turmas", "Groups usage", ""},
	"Query.questionStats":    {"Estatísticas de perguntas", "Question statistics", ""},
	"Query.bookingStats":     {"Estatísticas de agendamentos", "Booking statistics", ""},
	"Query.viewer":           {"Token", "Token", ""},
}

// naming lists the fields that name their object: a column of
// group { name } is headed by the label of group itself (Turma), and one
// of group { school { name } } "Escola da turma".
var naming = map[string]bool{
	"School.name":      true,
	"Group.name":       true,
	"Discipline.name":  true,
	"Subject.name":     true,
	"BookingRoom.name": true,
}

// step is one field along a column's path: its type's name (the type
// holding it; "" in a document not bound to a schema), its name, and its
// alias when the client gave it one.
type step struct {
	typ, name, alias string
}

// transparent reports whether the step is the edges or node of a
// connection nested in a row, which its label leaves out: students { edges
// { node { email } } } is headed E-mail dos alunos.
func (s step) transparent() bool {
	return s.name == "edges" && strings.HasSuffix(s.typ, "Connection") ||
		s.name == "node" && strings.HasSuffix(s.typ, "Edge")
}

// labelOf is the label of the field of s, its type's own first.
func labelOf(s step) (label, bool) {
	if l, ok := typeLabels[s.typ+"."+s.name]; ok {
		return l, true
	}
	l, ok := labels[s.name]
	return l, ok
}

// text is the word for step s in lang: its alias (the client named it),
// else its label, else its name.
func (s step) text(lang Language) string {
	if s.alias != "" {
		return s.alias
	}
	l, ok := labelOf(s)
	switch {
	case !ok:
		return s.name
	case lang == English:
		return l.en
	}
	return l.pt
}

// of is the Portuguese phrase naming the object of step s after a field
// below it: its label's "of", or "de" and its alias or name.
func (s step) of() string {
	if s.alias == "" {
		if l, ok := labelOf(s); ok && l.of != "" {
			return l.of
		}
		return "de " + s.name
	}
	return "de " + s.alias
}

// compose is the header of a column whose path, from the row down to its
// leaf, is steps: the leaf's label, followed in Portuguese by the phrases
// of the objects above it ("E-mail do aluno"), preceded in English by their
// labels ("Student email"). A field that names its object (naming) gives
// way to the object's own label: "Turma", "Escola da turma".
func compose(steps []step, lang Language) string {
	var path []step
	for _, s := range steps {
		if !s.transparent() {
			path = append(path, s)
		}
	}
	if len(path) == 0 {
		return ""
	}
	if leaf := path[len(path)-1]; len(path) > 1 && leaf.alias == "" && naming[leaf.typ+"."+leaf.name] {
		path = path[:len(path)-1]
	}
	leaf, parents := path[len(path)-1], path[:len(path)-1]
	if lang == English {
		words := make([]string, 0, len(path))
		for i, s := range path {
			w := s.text(English)
			if i > 0 {
				w = lowerFirst(w)
			}
			words = append(words, w)
		}
		return strings.Join(words, " ")
	}
	words := []string{leaf.text(Portuguese)}
	for i := len(parents) - 1; i >= 0; i-- {
		words = append(words, parents[i].of())
	}
	return strings.Join(words, " ")
}

// lowerFirst lowers the first letter of a word that goes on in lower case
// (Email, not ID or NPS).
func lowerFirst(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	next, _ := utf8.DecodeRuneInString(w[n:])
	if !unicode.IsUpper(r) || unicode.IsUpper(next) {
		return w
	}
	return string(unicode.ToLower(r)) + w[n:]
}

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = 31

// sheetName makes name one Excel accepts as a sheet's: the characters it
// refuses (: \ / ? * [ ]) replaced, no apostrophe at either end, neither
// empty nor "History" (a name Excel keeps for itself), and at most
// maxSheetName long. An alias can hold none of those characters, but a
// label might one day.
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case '[':
			return '('
		case ']':
			return ')'
		case ':', '\\', '/', '?', '*':
			return '-'
		}
		return r
	}, name)
	units := 0
	for i, r := range name {
		if units += utf16.RuneLen(r); units > maxSheetName {
			name = name[:i]
			break
		}
	}
	switch name = strings.Trim(name, "' "); {
	case name == "":
		return "Planilha"
	case strings.EqualFold(name, "History"):
		return name + " 1"
	}
	return name
}

package seed

import "github.com/stift/stift-reports/ent/schema/hours"

// This file holds the demo's Portuguese content as data: the schools and
// their groups and rooms, the staff and teachers, name lists for students,
// disciplines with their subjects, and the texts of questions, answers and
// comments. The generator only combines them.

// schoolSpec describes one demo school.
type schoolSpec struct {
	name      string
	timezone  string
	minCancel int // hours
	hours     []hours.Window
	groups    []groupSpec
	rooms     []roomSpec
}

// groupSpec is a group of a school; code is how the teacher roster refers
// to it (group names repeat across schools).
type groupSpec struct{ code, name string }

// roomSpec is a booking room of a school; disciplines are ids.
type roomSpec struct {
	name        string
	modal       string
	disciplines []int
}

// The disciplines by id.
const (
	matematica = iota + 1
	fisica
	quimica
	biologia
	historia
	portugues
)

var allDisciplines = []int{matematica, fisica, quimica, biologia, historia, portugues}

// manausHours are the service hours of Escola Nova Manaus: weekdays with a
// lunch break, Saturday mornings.
var manausHours = []hours.Window{
	{Weekday: 1, StartMinute: 8 * 60, EndMinute: 12 * 60}, {Weekday: 1, StartMinute: 13 * 60, EndMinute: 19 * 60},
	{Weekday: 2, StartMinute: 8 * 60, EndMinute: 12 * 60}, {Weekday: 2, StartMinute: 13 * 60, EndMinute: 19 * 60},
	{Weekday: 3, StartMinute: 8 * 60, EndMinute: 12 * 60}, {Weekday: 3, StartMinute: 13 * 60, EndMinute: 19 * 60},
	{Weekday: 4, StartMinute: 8 * 60, EndMinute: 12 * 60}, {Weekday: 4, StartMinute: 13 * 60, EndMinute: 19 * 60},
	{Weekday: 5, StartMinute: 8 * 60, EndMinute: 12 * 60}, {Weekday: 5, StartMinute: 13 * 60, EndMinute: 19 * 60},
	{Weekday: 6, StartMinute: 8 * 60, EndMinute: 12 * 60},
}

var schoolSpecs = []schoolSpec{
	{
		name: "Colégio Horizonte", timezone: "America/Sao_Paulo", minCancel: 24,
		hours: hours.Default(),
		groups: []groupSpec{
			{"H1A", "1º ano A"}, {"H1B", "1º ano B"}, {"H2A", "2º ano A"}, {"H3", "3º ano EM"},
		},
		rooms: []roomSpec{
			{"Sala Virtual 1", "ONLINE", allDisciplines},
			{"Laboratório de Ciências", "PRESENCIAL", []int{fisica, quimica, biologia}},
			{"Biblioteca — Sala Híbrida", "HIBRIDO", []int{matematica, historia, portugues}},
		},
	},
	{
		name: "Escola Nova Manaus", timezone: "America/Manaus", minCancel: 12,
		hours: manausHours,
		groups: []groupSpec{
			{"M9", "9º ano"}, {"M1", "1º ano"}, {"M2B", "2º ano B"}, {"M3", "3º ano EM"},
		},
		rooms: []roomSpec{
			{"Plantão Online", "ONLINE", allDisciplines},
			{"Sala 12 (Bloco B)", "PRESENCIAL", []int{matematica, fisica, quimica}},
		},
	},
}

// staffSpec is a member of a school's staff (coordination, secretariat).
type staffSpec struct {
	first, last string
	school      int // index in schoolSpecs
	monthsAgo   int // created
}

var staffSpecs = []staffSpec{
	{"Regina", "Coutinho Prado", 0, 30},
	{"Paulo Henrique", "Bastos", 1, 26},
	{"Cláudia", "Siqueira", 0, 8},
}

// teacherSpec is one teacher of the roster. Blocked and deleted are days
// before Now (0 = never). The roster makes every group covered in every
// discipline by at least one teacher who is active all year.
type teacherSpec struct {
	first, last string
	disciplines []int
	groups      []string // group codes
	monthsAgo   int      // created
	blockedDays int
	deletedDays int
}

var teacherSpecs = []teacherSpec{
	{"Ana Beatriz", "Souza", []int{matematica, fisica}, []string{"H1A", "H1B", "H2A", "H3"}, 34, 0, 0},
	{"Carlos Eduardo", "Lima", []int{matematica}, []string{"H1A", "H1B"}, 28, 0, 0},
	{"Fernanda", "Oliveira Santos", []int{quimica, biologia}, []string{"H1A", "H1B", "H2A", "H3"}, 31, 0, 0},
	{"João Pedro", "Almeida", []int{historia}, []string{"H1A", "H1B", "H2A", "H3"}, 25, 0, 0},
	{"Luíza", "Carvalho", []int{portugues, historia}, []string{"H1A", "H1B", "H2A", "H3"}, 40, 0, 0},
	{"Rafael", "Gonçalves", []int{fisica}, []string{"H2A", "H3"}, 22, 0, 75},
	{"Patrícia", "Nogueira", []int{matematica, quimica}, []string{"H2A", "H3", "M1"}, 19, 0, 0},
	{"Marcos Antônio", "Ribeiro", []int{matematica, fisica}, []string{"M9", "M1", "M2B", "M3"}, 27, 0, 0},
	{"Sônia Maria", "Freitas", []int{quimica, biologia}, []string{"M9", "M1", "M2B", "M3"}, 36, 0, 0},
	{"Tiago", "Araújo", []int{historia, portugues}, []string{"M9", "M1", "M2B", "M3"}, 24, 0, 0},
	{"Vanessa Cristina", "Moura", []int{biologia, portugues}, []string{"M2B", "M3"}, 5, 21, 0},
}

// Student names are drawn from these lists (first names may be compound).
var firstNames = []string{
	"Maria Eduarda", "João", "Letícia", "Antônio", "Júlia", "Cecília", "Otávio", "Vitória",
	"Lívia", "Caio", "Gabriel", "Helena", "Heitor", "Sofia", "Arthur", "Isabela", "Miguel",
	"Lúcia", "Davi", "Beatriz", "Théo", "Laura", "Matheus", "Lorena", "Enzo", "Giovanna",
	"Pedro Henrique", "Ana Luíza", "Bruno", "Mariana", "Luís Felipe", "Yasmin", "Samuel",
	"Clara", "Renan", "Valentina", "Ícaro", "Raíssa", "Guilherme", "Ágatha", "Vinícius",
	"Manuela", "Nicolas", "Emanuelly", "Kauã", "Bianca", "Diogo", "Estêvão",
}

var lastNames = []string{
	"Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida",
	"Nascimento", "Lima", "Araújo", "Fernandes", "Carvalho", "Gomes", "Martins", "Rocha",
	"Ribeiro", "Alves", "Monteiro", "Mendes", "Barros", "Freitas", "Barbosa", "Pinto",
	"Moura", "Cavalcanti", "Dias", "Castro", "Campos", "Cardoso", "Conceição", "Gonçalves",
	"Magalhães", "Simões", "Brandão", "Assunção", "D'Ávila", "Falcão", "Guimarães", "Leão",
}

// disciplineSpec is a discipline with its subjects; ids follow the order.
type disciplineSpec struct {
	name     string
	subjects []string
	weight   int // how often students ask about it
}

var disciplineSpecs = []disciplineSpec{
	{"Matemática", []string{"Álgebra", "Geometria", "Análise combinatória", "Trigonometria", "Funções"}, 30},
	{"Física", []string{"Cinemática", "Dinâmica", "Termologia", "Óptica", "Eletricidade"}, 18},
	{"Química", []string{"Estequiometria", "Química orgânica", "Ligações químicas", "Soluções"}, 15},
	{"Biologia", []string{"Citologia", "Genética", "Ecologia", "Fisiologia humana"}, 12},
	{"História", []string{"Brasil Colônia", "Revolução Francesa", "Era Vargas", "Guerra Fria"}, 10},
	{"Português", []string{"Interpretação de texto", "Gramática", "Literatura brasileira", "Redação"}, 15},
}

// questionTexts are the questions students ask, by discipline id.
var questionTexts = map[int][]string{
	matematica: {
		"Como resolvo uma equação do segundo grau quando o delta é negativo?",
		"Não entendi por que (a + b)² não é igual a a² + b².",
		"Qual a diferença entre arranjo e combinação? Sempre confundo.",
		"Como calculo a área de um triângulo se só tenho os três lados?",
		"Na questão 7 da lista, o gabarito diz x = 3, mas eu achei x = -3. Onde errei?",
		"Por que sen² x + cos² x = 1? Tem uma demonstração simples?",
		"Como sei se uma função é injetora, sobrejetora ou bijetora?",
		"Quantos anagramas tem a palavra \"ARARA\"? Achei 120, mas parece muito.",
	},
	fisica: {
		"Um carro sai do repouso com aceleração de 2 m/s². Qual a velocidade depois de 5 s?",
		"Não entendi a diferença entre massa e peso.",
		"Por que o objeto mais pesado não cai mais rápido no vácuo?",
		"Como faço o diagrama de forças de um bloco num plano inclinado com atrito?",
		"O que acontece com a resistência equivalente quando ligo resistores em paralelo?",
		"Na refração, por que a luz muda de direção ao passar do ar para a água?",
		"Calor e temperatura são a mesma coisa?",
	},
	quimica: {
		"Como faço o balanceamento da equação Fe + O₂ → Fe₂O₃?",
		"Não entendi o conceito de mol. Pode explicar com um exemplo?",
		"Qual a diferença entre ligação iônica e covalente?",
		"Como dou nome a um composto orgânico com ramificação?",
		"Se eu diluir 200 mL de uma solução 2 mol/L até 1 L, qual a nova concentração?",
		"Por que o sal de cozinha conduz eletricidade só quando está dissolvido?",
	},
	biologia: {
		"Qual a diferença entre mitose e meiose?",
		"No cruzamento Aa x Aa, por que a proporção é 3:1?",
		"O que são cadeias e teias alimentares? Qual a diferença?",
		"Como funciona a troca gasosa nos alvéolos?",
		"Por que as células vegetais têm parede celular e as animais não?",
		"Não entendi o que é um gene recessivo ligado ao X.",
	},
	historia: {
		"Quais foram as principais causas da Revolução Francesa?",
		"O que foi o ciclo do ouro no Brasil Colônia?",
		"Por que a Era Vargas é dividida em três fases?",
		"O que significa \"cortina de ferro\" na Guerra Fria?",
		"Qual a relação entre o Iluminismo e a independência do Brasil?",
		"Como funcionavam as capitanias hereditárias?",
	},
	portugues: {
		"Quando uso \"por que\", \"porque\", \"por quê\" e \"porquê\"?",
		"Qual a diferença entre oração subordinada e coordenada?",
		"Na redação do ENEM, a proposta de intervenção precisa ter quantos elementos?",
		"O que o autor quis dizer com \"a vida é um sopro\" no texto da página 42?",
		"Crase antes de palavra masculina: nunca pode?",
		"Quais as características do Romantismo na literatura brasileira?",
		"Pode corrigir minha introdução?\nA tecnologia, cada vez mais presente, transforma a educação.",
	},
}

// questionOpenings are sometimes put before a question.
var questionOpenings = []string{
	"Professor, ", "Professora, ", "Boa noite! ", "Oi, tudo bem? ", "Bom dia, ",
	"Estou estudando para a prova de amanhã, ", "Dúvida rápida: ",
}

// trickyDescriptions start with characters that spreadsheet programs read
// as formulas or control characters: reports must neutralise them.
var trickyDescriptions = []string{
	`=HYPERLINK("http://exemplo.com","clique aqui")`,
	"=1+1 é igual a 2 mesmo em base binária?",
	"+55 11 98765-4321 é o número do grupo de estudos, pode me chamar?",
	"-1 é o resultado? Achei x = -1 na questão 4.",
	"@professor pode olhar o exercício 12, por favor?",
	"\tA questão está com tabulação: por que a resposta é a letra C?",
	"\rNão sei por que a mensagem começou assim; é sobre a lista 3.",
	"=SOMA(A1:A3) no Excel dá o mesmo que somar os termos da PA?",
}

// answerTexts are the teachers' answers.
var answerTexts = []string{
	"Ótima pergunta! Vamos por partes: primeiro identifique os dados do enunciado e depois aplique a fórmula.",
	"Você está quase lá. O erro está no sinal da segunda linha; refaça a conta com atenção.",
	"Dê uma olhada no capítulo 4 do livro, página 87. Lá tem um exemplo parecido, resolvido passo a passo.",
	"A ideia principal é: o que vale para um caso geral vale para o particular. Tente aplicar isso ao exercício.",
	"Segue a resolução:\n1) organize os dados;\n2) monte a equação;\n3) isole a incógnita.",
	"Isso mesmo! Sua resposta está correta, só faltou justificar o último passo.",
	"Não é bem assim. Lembre-se da definição que vimos em aula e compare com o seu raciocínio.",
	"Boa dúvida, muita gente confunde. A diferença está na ordem: em um caso ela importa, no outro não.",
	"Sugiro assistir à videoaula \"Revisão geral\" na plataforma e depois refazer a lista.",
	"Perfeito, você entendeu o conceito. Agora tente os exercícios 5 a 8 para fixar.",
}

// replyTexts are the students' replies to an answer, and replyAnswerTexts
// the teachers' answers to them.
var replyTexts = []string{
	"Ainda não entendi o segundo passo. Pode explicar de outro jeito?",
	"Obrigado! Mas e se o valor fosse negativo?",
	"Entendi a ideia, mas no exercício 9 não deu certo.",
	"Professor, o livro diz outra coisa, quem está certo?",
	"Valeu! Só mais uma coisa: isso cai no ENEM?",
}

var replyAnswerTexts = []string{
	"Claro! Pense no exemplo que fizemos em sala, com números menores, e depois generalize.",
	"Se fosse negativo, o raciocínio é o mesmo, só muda o sinal no final.",
	"O livro usa outra notação, mas o resultado é equivalente.",
	"Cai sim, é um tema recorrente. Vale revisar.",
	"Me mande a sua resolução do exercício 9 que eu aponto onde está o erro.",
}

// answerComments are what students write when they rate an answer.
var answerComments = []string{
	"Muito obrigado, ficou claro!",
	"Explicação ótima, entendi de primeira.",
	"Ajudou, mas ainda tenho dúvidas.",
	"Demorou um pouco, mas a resposta foi completa.",
	"Não entendi a resposta.",
	"Valeu, professora!",
	"Poderia ter um exemplo, mesmo assim ajudou.",
}

// npsComments are comments left with NPS answers, by score band.
var npsComments = struct{ detractor, passive, promoter []string }{
	detractor: []string{
		"As respostas demoram demais, às vezes mais de dois dias.",
		"O aplicativo trava quando envio foto do exercício.",
		"Difícil conseguir horário para a monitoria.",
	},
	passive: []string{
		"Bom, mas poderia ter mais horários à noite.",
		"Gosto da plataforma, mas as notificações falham.",
		"Razoável; algumas respostas são curtas demais.",
	},
	promoter: []string{
		"Excelente! Me ajudou muito a passar em Física.",
		"Os professores respondem rápido e com atenção.",
		"Uso todo dia para estudar para o vestibular.",
		"Muito bom, recomendo para todos os colegas.",
	},
}

/*
 * PromQL (Prometheus 3.x) as an ANTLR 4 grammar. No embedded actions: dev.vigil.query.parse.AstBuilder turns the
 * parse tree into dev.vigil.query.ast records and does the checks Prometheus's yacc actions do.
 *
 * Precedence follows promql/parser/generated_parser.y, lowest to highest: or; and unless; comparisons; + -;
 * * / % atan2 (and unary + -); ^ (right-associative); offset and @; [range] and [range:step].
 */
grammar PromQL;

options { caseInsensitive = true; }

query : expr EOF ;

expr
    : expr LEFT_BRACKET durationExpr RIGHT_BRACKET                          # matrixSelector
    | expr LEFT_BRACKET durationExpr COLON durationExpr? RIGHT_BRACKET      # subquery
    | expr OFFSET offsetValue                                               # offsetModifier
    | expr AT atTime                                                        # atModifier
    | expr (ANCHORED | SMOOTHED)                                            # extensionModifier
    | <assoc=right> expr op=POW binModifier expr                            # binary
    | op=(ADD | SUB) expr                                                   # unary
    | expr op=(MUL | DIV | MOD | ATAN2) binModifier expr                    # binary
    | expr op=(ADD | SUB) binModifier expr                                  # binary
    | expr op=(EQLC | NEQ | GTR | LSS | GTE | LTE) binModifier expr         # binary
    | expr op=(AND | UNLESS) binModifier expr                               # binary
    | expr op=OR binModifier expr                                           # binary
    | aggregateOp (groupingModifier functionArgs | functionArgs groupingModifier?) # aggregation
    | IDENTIFIER functionArgs                                               # call
    | (START | END) LEFT_PAREN RIGHT_PAREN                                  # startOrEnd
    | LEFT_PAREN expr RIGHT_PAREN                                           # paren
    | vectorSelector                                                        # selector
    | (NUMBER | DURATION | INF | NAN)                                       # number
    | STRING                                                                # string
    ;

binModifier
    : BOOL? (onOrIgnoring = (ON | IGNORING) groupingLabels (group = (GROUP_LEFT | GROUP_RIGHT) groupingLabels?)?)?
      fillModifier*
    ;

// Prometheus 3.x experimental fill modifiers: the value of a missing sample on one side (or both).
fillModifier : kind = (FILL | FILL_LEFT | FILL_RIGHT) LEFT_PAREN (ADD | SUB)? (NUMBER | INF | NAN) RIGHT_PAREN ;

groupingModifier : (BY | WITHOUT) groupingLabels ;

groupingLabels : LEFT_PAREN (groupingLabel (COMMA groupingLabel)* COMMA?)? RIGHT_PAREN ;

groupingLabel : labelName | STRING ;

functionArgs : LEFT_PAREN (expr (COMMA expr)*)? RIGHT_PAREN ;

vectorSelector
    : metricName labelMatchers?
    | labelMatchers
    ;

labelMatchers : LEFT_BRACE (labelMatcher (COMMA labelMatcher)* COMMA?)? RIGHT_BRACE ;

labelMatcher
    : (labelName | STRING) matchOp STRING
    | STRING
    ;

matchOp : EQL | NEQ | EQL_REGEX | NEQ_REGEX ;

duration : DURATION | NUMBER ;

// Prometheus 3.x duration expressions (promql-duration-expr): arithmetic over numbers (seconds) and durations, with
// step(), range(), min_of() and max_of(). After offset only a literal, a call or a parenthesised expression binds,
// so that "x offset 1m + 2" stays an addition.
offsetValue
    : (ADD | SUB)? (NUMBER | DURATION)
    | (ADD | SUB)? durationCall
    | (ADD | SUB)? LEFT_PAREN durationExpr RIGHT_PAREN
    ;

durationCall : IDENTIFIER LEFT_PAREN (durationExpr (COMMA durationExpr)*)? RIGHT_PAREN ;

durationExpr
    : LEFT_PAREN durationExpr RIGHT_PAREN                                   # durationParen
    | <assoc=right> durationExpr op=POW durationExpr                        # durationBinary
    | op=(ADD | SUB) durationExpr                                           # durationUnary
    | durationExpr op=(MUL | DIV | MOD) durationExpr                        # durationBinary
    | durationExpr op=(ADD | SUB) durationExpr                              # durationBinary
    | durationCall                                                          # durationFunction
    | (NUMBER | DURATION)                                                   # durationLiteral
    ;

atTime
    : (ADD | SUB)? (NUMBER | DURATION | INF | NAN)
    | (START | END) LEFT_PAREN RIGHT_PAREN
    ;

aggregateOp
    : SUM | AVG | COUNT | MIN | MAX | GROUP | STDDEV | STDVAR | TOPK | BOTTOMK | COUNT_VALUES | QUANTILE
    | LIMITK | LIMIT_RATIO
    ;

// Keywords that Prometheus also accepts as a metric name (metric_identifier in generated_parser.y).
metricName
    : IDENTIFIER | METRIC_IDENTIFIER | aggregateOp | BY | WITHOUT | OFFSET | START | END | ANCHORED | SMOOTHED | FILL | FILL_LEFT | FILL_RIGHT
    ;

// Inside braces and grouping clauses Prometheus lexes every word as a label name.
labelName
    : IDENTIFIER | aggregateOp | AND | OR | UNLESS | ATAN2 | OFFSET | BY | WITHOUT | ON | IGNORING | GROUP_LEFT
    | GROUP_RIGHT | BOOL | START | END | INF | NAN | ANCHORED | SMOOTHED | FILL | FILL_LEFT | FILL_RIGHT
    ;

// Keywords are matched case-insensitively, as Prometheus lower-cases a word before its keyword lookup.
AND : 'and' ;
OR : 'or' ;
UNLESS : 'unless' ;
ATAN2 : 'atan2' ;
SUM : 'sum' ;
AVG : 'avg' ;
COUNT : 'count' ;
MIN : 'min' ;
MAX : 'max' ;
GROUP : 'group' ;
STDDEV : 'stddev' ;
STDVAR : 'stdvar' ;
TOPK : 'topk' ;
BOTTOMK : 'bottomk' ;
COUNT_VALUES : 'count_values' ;
QUANTILE : 'quantile' ;
LIMITK : 'limitk' ;
LIMIT_RATIO : 'limit_ratio' ;
OFFSET : 'offset' ;
ANCHORED : 'anchored' ;
FILL : 'fill' ;
FILL_LEFT : 'fill_left' ;
FILL_RIGHT : 'fill_right' ;
SMOOTHED : 'smoothed' ;
BY : 'by' ;
WITHOUT : 'without' ;
ON : 'on' ;
IGNORING : 'ignoring' ;
GROUP_LEFT : 'group_left' ;
GROUP_RIGHT : 'group_right' ;
BOOL : 'bool' ;
START : 'start' ;
END : 'end' ;
INF : 'inf' ;
NAN : 'nan' ;

// Duration units are case-sensitive in Prometheus (5m, never 5M).
DURATION options { caseInsensitive = false; } : ([0-9]+ ('ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'y'))+ ;

NUMBER
    : '0x' [0-9a-f]+
    | ([0-9]+ ('.' [0-9]*)? | '.' [0-9]+) ('e' [+-]? [0-9]*)?
    ;

// A number or duration run into letters, like Prometheus's "bad number or duration syntax".
BAD_NUMBER : [0-9] [0-9a-z_.]* ;

IDENTIFIER : [a-z_] [a-z0-9_]* ;
// A leading colon must be followed by a letter, so that the colon of a subquery ([5m:1m]) stays a COLON token.
METRIC_IDENTIFIER : [a-z_] [a-z0-9_]* ':' [a-z0-9_:]* | ':' [a-z_:] [a-z0-9_:]* ;

STRING
    : '"' (~["\\\n] | '\\' .)* '"'
    | '\'' (~['\\\n] | '\\' .)* '\''
    | '`' ~'`'* '`'
    ;

UNTERMINATED_STRING
    : '"' (~["\\\n] | '\\' .)* '\\'?
    | '\'' (~['\\\n] | '\\' .)* '\\'?
    | '`' ~'`'*
    ;

LEFT_PAREN : '(' ;
RIGHT_PAREN : ')' ;
LEFT_BRACE : '{' ;
RIGHT_BRACE : '}' ;
LEFT_BRACKET : '[' ;
RIGHT_BRACKET : ']' ;
COMMA : ',' ;
COLON : ':' ;
AT : '@' ;
ADD : '+' ;
SUB : '-' ;
MUL : '*' ;
DIV : '/' ;
MOD : '%' ;
POW : '^' ;
EQLC : '==' ;
NEQ : '!=' ;
LTE : '<=' ;
LSS : '<' ;
GTE : '>=' ;
GTR : '>' ;
EQL_REGEX : '=~' ;
NEQ_REGEX : '!~' ;
EQL : '=' ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS : [ \t\r\n]+ -> skip ;

// Anything else reaches the parser as one token, so that PromqlParser can report it as Prometheus's lexer does.
ERROR_CHAR : . ;

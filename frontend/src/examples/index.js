// The example documents for the questions analysts ask, each with variables to fill in.
// Each document is a .graphql file of its own, so a test of the gateway validates it against the schema.
import leadProviders from './1-lead-providers.graphql?raw';
import declarationsByState from './2-declarations-by-state.graphql?raw';
import statementDeclarations from './3-statement-declarations.graphql?raw';
import participantHistory from './4-participant-history.graphql?raw';

const json = (value) => JSON.stringify(value, null, 2);

export const examples = [
  {
    title: 'Lead providers',
    description: 'Every lead provider and its id: the id the other examples ask for.',
    query: leadProviders,
    variables: '',
  },
  {
    title: "A provider's declarations by state in a cohort",
    description: 'Declarations of one lead provider in one cohort, with their state, type and statement.',
    query: declarationsByState,
    variables: json({ leadProviderId: '', cohort: ['2025'] }),
  },
  {
    title: "A statement's declarations",
    description: "A provider's statements, then the declarations paid or clawed back on one of them.",
    query: statementDeclarations,
    variables: json({ leadProviderId: '', statementId: '' }),
  },
  {
    title: "A participant's history",
    description: 'Training records, withdrawals, deferrals, transfers, merged ids and declarations of one participant.',
    query: participantHistory,
    variables: json({ participantId: '' }),
  },
];

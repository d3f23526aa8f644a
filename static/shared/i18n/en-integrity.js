// English: the Audit integrity card (the audit log's hash chain).
export default {
  'integrity.title': 'Audit integrity',
  'integrity.explain': 'Each audit event commits to the one before it. The server checks the whole chain at start and daily; `armario audit verify` checks it at any time.',
  'integrity.status': 'Result',
  'integrity.ok': 'Intact',
  'integrity.broken': 'Broken',
  'integrity.unchecked': 'Not checked yet',
  'integrity.verifiedAt': 'Last verification',
  'integrity.never': 'never',
  'integrity.checked': 'Events checked',
  'integrity.brokenAt': 'First break',
  'integrity.kind.edited': 'event {id} was edited',
  'integrity.kind.deleted': 'event {id} was deleted',
  'integrity.kind.inserted': 'event {id} was inserted outside armario',
  'integrity.brokenHelp': 'Someone changed the audit log outside armario. Keep the database file as it is, run `armario audit verify --against latest` and compare with your backups.',
};

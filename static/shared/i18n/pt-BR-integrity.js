// Português (Brasil): o cartão Integridade da auditoria (a cadeia de hashes do registro).
export default {
  'integrity.title': 'Integridade da auditoria',
  'integrity.explain': 'Cada evento de auditoria se compromete com o anterior. O servidor confere a cadeia inteira ao iniciar e diariamente; `armario audit verify` confere a qualquer momento.',
  'integrity.status': 'Resultado',
  'integrity.ok': 'Íntegra',
  'integrity.broken': 'Rompida',
  'integrity.unchecked': 'Ainda não verificada',
  'integrity.verifiedAt': 'Última verificação',
  'integrity.never': 'nunca',
  'integrity.checked': 'Eventos conferidos',
  'integrity.brokenAt': 'Primeira ruptura',
  'integrity.kind.edited': 'o evento {id} foi editado',
  'integrity.kind.deleted': 'o evento {id} foi apagado',
  'integrity.kind.inserted': 'o evento {id} foi inserido por fora do armario',
  'integrity.brokenHelp': 'Alguém alterou o registro de auditoria por fora do armario. Preserve o arquivo do banco como está, rode `armario audit verify --against latest` e compare com seus backups.',
};

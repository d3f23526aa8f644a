-- Companies created before the default plan got its Portuguese name were stored with the
-- column default `standard`, and show it beside every newer company's "Padrão"
-- (domain::company::DEFAULT_PLAN). Only that exact stored value is renamed: a plan the owner
-- typed, even "Standard", stays as typed.
UPDATE companies SET plan = 'Padrão' WHERE plan = 'standard';

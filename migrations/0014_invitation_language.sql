-- The language an invitation's messages are written in: chosen by the inviter (or taken from
-- their request), kept so a resent message speaks the same language as the first. Invitations
-- made before this column was added were written in pt-BR, the default.
ALTER TABLE invitations ADD COLUMN language TEXT NOT NULL DEFAULT 'pt-BR'
    CHECK (language IN ('pt-BR', 'en'));

package io.loopfree.sync.ports;

import java.util.Optional;

import io.loopfree.sync.domain.change.ChangeMapping;

/** Provider mappings (payload → change) by system name. */
public interface MappingRepository {

    /**
     * @return the system's mapping; empty when there is none
     * @throws io.loopfree.sync.domain.change.MappingException when the mapping exists but is invalid
     */
    Optional<ChangeMapping> find(String system);
}

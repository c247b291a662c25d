package io.loopfree.sync.domain.change;

import java.util.Map;

/**
 * How one system names one resource's fields, translated to and from the resource's <b>unified fields</b> (the
 * names the engine syncs by): {@code firstname} (HubSpot), {@code FirstName} (Salesforce), {@code first_name}… all
 * become {@code firstName}. Data in the system's mapping file (JSONata); a system without a translation uses the
 * unified names itself.
 */
public interface FieldMapping {

    /** The system's tracked fields for the resource and their types (how its values are normalized). */
    Map<String, FieldType> tracked();

    /**
     * The unified fields these native fields tell. Only what they tell: a partial change (one property) gives only
     * the unified fields derived from it; a null value (a cleared field) stays null.
     */
    Map<String, Object> toUnified(FieldSet nativeFields);

    /** The system's own fields for these unified values, normalized by {@link #tracked()}; only tracked fields. */
    FieldSet fromUnified(Map<String, Object> unified);
}

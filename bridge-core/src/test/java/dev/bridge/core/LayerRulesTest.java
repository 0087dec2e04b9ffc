package dev.bridge.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Inside core, dependencies point inward too, each package allowed only what it names: the domain
 * ({@code dev.bridge.core}) knows nothing else of core, settings and ports know the domain (ports
 * also settings, which a provider reads), the protocol and the engine know the domain and the
 * ports but not each other, and no package knows the sinks but the sinks.
 */
class LayerRulesTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bridge.core");

    private static final String[] LIBRARIES = {"java..", "javax.crypto..", "com.fasterxml.jackson..", "org.slf4j.."};

    private static void only(String layer, String... allowed) {
        String[] all = new String[allowed.length + LIBRARIES.length + 1];
        all[0] = layer;
        System.arraycopy(allowed, 0, all, 1, allowed.length);
        System.arraycopy(LIBRARIES, 0, all, allowed.length + 1, LIBRARIES.length);
        classes().that().resideInAPackage(layer).should().onlyDependOnClassesThat().resideInAnyPackage(all).check(CORE);
    }

    @Test
    void theDomainKnowsNoOtherPartOfCore() {
        only("dev.bridge.core");
    }

    @Test
    void settingsAndPortsKnowTheDomain() {
        only("dev.bridge.core.settings", "dev.bridge.core");
        only("dev.bridge.core.port", "dev.bridge.core", "dev.bridge.core.settings");
    }

    @Test
    void theProtocolAndTheEngineDoNotKnowEachOtherNorTheSinks() {
        only("dev.bridge.core.protocol", "dev.bridge.core");
        only("dev.bridge.core.engine", "dev.bridge.core", "dev.bridge.core.port", "dev.bridge.core.settings");
    }
}

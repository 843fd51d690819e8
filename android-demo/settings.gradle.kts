pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

// The Maven repository scripts/package-kotlin writes: the Rust build cache
// of the repository's scripts (scripts/env.sh), or GRIDBOOK_MAVEN_REPO.
val gridbookMavenRepo: String = System.getenv("GRIDBOOK_MAVEN_REPO")
    ?: "${System.getenv("CARGO_TARGET_DIR")
        ?: "${System.getenv("XDG_CACHE_HOME") ?: "${System.getProperty("user.home")}/.cache"}/gridbook/target"}/maven"

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        maven {
            name = "gridbook"
            url = uri(gridbookMavenRepo)
            content { includeGroup("org.gridbook") }
        }
        google()
        mavenCentral()
    }
}

rootProject.name = "gridbook-android-demo"
include(":app")
